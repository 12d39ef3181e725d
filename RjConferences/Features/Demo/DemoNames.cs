namespace RjConferences.Features.Demo;

/// <summary>
/// Invented people for the demonstration and synthetic data: first and last names of varied
/// origins, each origin with the 2021-census ethnic groups (<see cref="Referrals.Vocabulary.EthnicGroups"/>)
/// its families most often give. Every name here is made up for the purpose; any likeness is chance.
/// </summary>
public static class DemoNames
{
    public sealed record Origin(string[] GirlsNames, string[] BoysNames, string[] LastNames, string[] EthnicGroups, int Weight)
    {
        /// <summary>Polish, Czech and similar surnames that take a feminine form.</summary>
        public Func<string, string>? FeminineLastName { get; init; }
    }

    public static readonly IReadOnlyList<Origin> Origins =
    [
        new(["Olivia", "Amelia", "Isla", "Poppy", "Freya", "Grace", "Evie", "Lily"],
            ["Jack", "Harry", "Oliver", "George", "Alfie", "Charlie", "Jacob", "Noah"],
            ["Brown", "Smith", "Taylor", "Clarke", "Walker", "Wright", "Hughes", "Turner", "Cooper", "Hill"],
            ["white_british", "white_british", "white_british", "mixed_other"], 14),
        new(["Aoife", "Niamh", "Siobhán", "Orla", "Caoimhe"],
            ["Seán", "Cian", "Oisín", "Darragh", "Pádraig"],
            ["O'Brien", "Murphy", "Byrne", "O'Sullivan", "McCarthy", "Ó Ceallaigh"],
            ["white_irish", "white_irish", "white_british"], 4),
        new(["Ayesha", "Nusrat", "Tahmina", "Sumaiya", "Fatema", "Raisa"],
            ["Rahim", "Sabbir", "Imran", "Tanvir", "Rayhan", "Mahir"],
            ["Ahmed", "Rahman", "Begum", "Uddin", "Miah", "Chowdhury", "Islam", "Hossain"],
            ["asian_bangladeshi"], 14),
        new(["Zainab", "Hira", "Maryam", "Iqra", "Aleena"],
            ["Bilal", "Hamza", "Zayan", "Usman", "Ibrahim"],
            ["Khan", "Hussain", "Qureshi", "Malik", "Iqbal", "Butt"],
            ["asian_pakistani"], 8),
        new(["Priya", "Ananya", "Diya", "Kavya", "Simran", "Harleen"],
            ["Arjun", "Rohan", "Vikram", "Aarav", "Gurpreet", "Karan"],
            ["Sharma", "Patel", "Singh", "Gupta", "Kaur", "Mehta", "Shah"],
            ["asian_indian"], 8),
        new(["Mei", "Xin", "Yu", "Jia", "Hui"],
            ["Wei", "Jun", "Hao", "Ming", "Tao"],
            ["Chen", "Wang", "Li", "Zhang", "Liu", "Huang"],
            ["asian_chinese"], 4),
        new(["Thị Minh Khai", "Thảo", "Thị Lan", "Ngọc Anh", "Huyền"],
            ["Minh", "Tuấn", "Đức", "Quang", "Bảo"],
            ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ"],
            ["asian_other"], 3),
        new(["Ama", "Abena", "Ngozi", "Folake", "Chiamaka", "Efua", "Adaeze"],
            ["Kwame", "Kofi", "Chidi", "Oluwaseun", "Adebayo", "Emeka", "Yaw"],
            ["Mensah", "Owusu", "Asante", "Okafor", "Adeyemi", "Okonkwo", "Boateng", "Adewale"],
            ["black_african"], 12),
        new(["Shanice", "Jade", "Aaliyah", "Kemi", "Tia"],
            ["Jordan", "Tyrese", "Marcus", "Kyle", "Dwayne"],
            ["Campbell", "Williams", "Thompson", "Francis", "Johnson", "Grant"],
            ["black_caribbean", "black_caribbean", "mixed_white_black_caribbean", "black_other"], 8),
        new(["Hodan", "Ayaan", "Hawa", "Sagal", "Ifrah"],
            ["Abdirahman", "Mohamed", "Abdullahi", "Hassan", "Yusuf"],
            ["Warsame", "Abdi", "Farah", "Osman", "Jama"],
            ["black_african"], 5),
        new(["Zofia", "Zuzanna", "Wiktoria", "Julia", "Maja"],
            ["Kacper", "Jakub", "Szymon", "Filip", "Mateusz"],
            ["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Lewandowski", "Kamiński"],
            ["white_other"], 5)
        {
            FeminineLastName = name => name.EndsWith("ski", StringComparison.Ordinal) ? name[..^1] + "a" : name,
        },
        new(["Elif", "Zeynep", "Ayşe", "Defne", "Ece"],
            ["Şükrü", "Emre", "Mehmet", "Can", "Barış"],
            ["Yılmaz", "Kaya", "Demir", "Çelik", "Öztürk", "Arslan"],
            ["white_other", "other_any"], 4),
        new(["Ingrid", "Sigrid", "Åsa", "Solveig"],
            ["Ørjan", "Leif", "Håkon", "Søren"],
            ["Dahl", "Hansen", "Johansen", "Løvås", "Bakke"],
            ["white_other"], 1),
        new(["Anna-Maria", "Giulia", "Chiara", "Sofia"],
            ["Luca", "Matteo", "Giorgio", "Marco"],
            ["Rossi", "Bianchi", "Esposito", "Romano", "De Luca"],
            ["white_other", "white_british"], 2),
        new(["Amira", "Layla", "Yasmin", "Nour", "Salma"],
            ["Omar", "Youssef", "Karim", "Ali", "Tariq"],
            ["Hassan", "Haddad", "Mansour", "Al-Sayed", "Khalil"],
            ["other_arab"], 4),
        new(["Ionela", "Roxana", "Bianca", "Denisa"],
            ["Andrei", "Florin", "Marius", "Ionuț"],
            ["Stoica", "Lăcătuș", "Popescu", "Dumitru", "Radu"],
            ["white_roma", "white_other", "white_gypsy_traveller"], 2),
        new(["Beatriz", "Larissa", "Inês", "Mariana"],
            ["João", "Gabriel", "Thiago", "Rafael"],
            ["Silva", "Santos", "Ferreira", "Oliveira", "Costa"],
            ["white_other", "other_any", "mixed_other"], 2),
        new(["Maya", "Leah", "Aisha", "Kiara"],
            ["Tyler", "Reuben", "Malachi", "Ethan"],
            ["Mitchell-Jones", "Adeyemi-Clarke", "Sharma-Hill", "Campbell", "Okoro-Brown"],
            ["mixed_white_black_african", "mixed_white_asian", "mixed_white_black_caribbean", "mixed_other"], 4),
    ];

    private static readonly int TotalWeight = Origins.Sum(o => o.Weight);

    public static Origin PickOrigin(Random random)
    {
        var pick = random.Next(TotalWeight);
        foreach (var origin in Origins)
        {
            if (pick < origin.Weight) return origin;
            pick -= origin.Weight;
        }
        return Origins[^1];
    }

    public static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>A first name for a person of <paramref name="gender"/> ("female", "male", anything else: either).</summary>
    public static string FirstName(Random random, Origin origin, string gender) => gender switch
    {
        "female" => Pick(random, origin.GirlsNames),
        "male" => Pick(random, origin.BoysNames),
        _ => random.Next(2) == 0 ? Pick(random, origin.GirlsNames) : Pick(random, origin.BoysNames),
    };

    public static string LastName(Random random, Origin origin, string gender)
    {
        var name = Pick(random, origin.LastNames);
        return gender == "female" && origin.FeminineLastName is { } feminine ? feminine(name) : name;
    }

    /// <summary>Members of staff, members of the public: any origin.</summary>
    public static (string First, string Last) Adult(Random random)
    {
        var origin = PickOrigin(random);
        var gender = random.Next(2) == 0 ? "female" : "male";
        return (FirstName(random, origin, gender), LastName(random, origin, gender));
    }

    /// <summary>Harmed organisations other than the school itself.</summary>
    public static readonly IReadOnlyList<string> Organisations =
    [
        "Corner Shop Convenience Store", "Green Street Newsagents", "Stratford Food & Wine", "Barking Road Pharmacy",
        "Plaistow Bakery", "East Ham Library", "Local bus operator", "Mile End Leisure Centre", "Chicken Express takeaway",
        "Upton Park Mini Market",
    ];

    public static readonly IReadOnlyList<string> AdmittedTo =
    [
        "Safer Schools officer", "Head of year", "Deputy headteacher", "Form tutor", "Safer Schools officer and head of year",
        "Pastoral lead",
    ];

    /// <summary>Short accounts of what happened, by offence category id (see migrations/0004): no names, as a referrer would be asked to write.</summary>
    public static readonly IReadOnlyDictionary<long, string[]> Descriptions = new Dictionary<long, string[]>
    {
        [1] = [
            "Pushed another pupil against the lockers during morning break; the pupil had a red mark on the arm but no lasting injury.",
            "A scuffle in the lunch queue: one slap to the face, seen by a member of staff, who separated the pupils.",
            "Kicked a younger pupil on the way out of the gates after school; no medical treatment was needed.",
        ],
        [2] = [
            "Took a mobile phone from a bag left in the changing room; the phone was returned the next day.",
            "Took sweets and drinks worth about £12 from the shop near the school without paying.",
            "Took a bicycle lamp and a lock from the bike shed; both were found in the young person's locker.",
        ],
        [3] = [
            "Wrote graffiti in marker pen on the wall of the science block toilets; cleaning cost about £80.",
            "Broke a classroom window by throwing a football indoors after being asked to stop.",
            "Scratched a member of staff's car in the car park with a key; repair estimate £350.",
        ],
        [4] = [
            "Sent unkind messages about another pupil to a class group chat over several weeks.",
            "Repeatedly took another pupil's bag and hid it, and called the pupil names in corridors.",
            "Posted an edited photo of another pupil online with mocking comments; it was taken down the same evening.",
        ],
        [5] = [
            "Told another pupil he would 'get him after school' and followed him to the bus stop.",
            "Shouted threats at a teacher after being sent out of a lesson, then left the building.",
        ],
        [6] = [
            "Part of a group that was shouting and blocking the pavement outside the shops after school; refused to move on at first.",
            "Swore repeatedly at a bus driver who asked the young person to show a pass.",
        ],
        [7] = [
            "Found with a small amount of cannabis in a coat pocket during a search after a report from another pupil.",
        ],
        [8] = [
            "Set off the fire alarm deliberately during an exam, so that the building had to be evacuated.",
            "Made a hoax phone call to the school office pretending to be a parent.",
        ],
    };
}

/// <summary>England's school years: Year 7 starts in the September after a child's 11th birthday.</summary>
public static class SchoolYears
{
    /// <summary>The year group on <paramref name="on"/> of a child born on <paramref name="dateOfBirth"/>; null outside Years 1–14.</summary>
    public static int? YearGroup(DateOnly dateOfBirth, DateOnly on)
    {
        var schoolYear = on.Month >= 9 ? on.Year : on.Year - 1;
        var cohort = dateOfBirth.Month >= 9 ? dateOfBirth.Year + 1 : dateOfBirth.Year;
        var year = schoolYear - cohort - 4;
        return year is >= 1 and <= 14 ? year : null;
    }

    /// <summary>A date of birth of a pupil in <paramref name="yearGroup"/> on <paramref name="on"/> whose age then satisfies <paramref name="ageOk"/>.</summary>
    public static DateOnly DateOfBirth(Random random, DateOnly on, int yearGroup, Func<int, bool> ageOk)
    {
        var schoolYear = on.Month >= 9 ? on.Year : on.Year - 1;
        var cohort = schoolYear - yearGroup - 4;
        var first = new DateOnly(cohort - 1, 9, 1);
        var days = new DateOnly(cohort, 8, 31).DayNumber - first.DayNumber + 1;
        var dateOfBirth = first.AddDays(random.Next(days));
        for (var attempt = 0; attempt < 100 && !ageOk(Referrals.Eligibility.AgeOn(dateOfBirth, on)); attempt++)
        {
            dateOfBirth = first.AddDays(random.Next(days));
        }
        return dateOfBirth;
    }
}

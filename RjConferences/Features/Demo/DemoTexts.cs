using System.Text;
using Microsoft.AspNetCore.Identity;
using RjConferences.Features.Referrals;

namespace RjConferences.Features.Demo;

public static partial class DemoData
{
    // ---- What facilitators and referrers write (also used by generate-synthetic) ----

    internal static readonly string[] RiskTexts =
    [
        "Low: the pupils are in different tutor groups and there has been no contact since the incident.",
        "Low: no history of conflict between the parties; both are supported by the school's pastoral team.",
        "Low to moderate: the pupils share some lessons, so the meeting will be closely supervised and short.",
        "Low: the member of staff is confident to take part and the young person is calm and cooperative.",
    ];
    internal static readonly string[] PowerTexts =
    [
        "None significant: same year group, similar friendship groups.",
        "The young person is two years older; the harmed pupil will bring a parent and sit next to the facilitator.",
        "A member of staff was harmed: the facilitator will keep the meeting to the harm done, not to school discipline.",
        "The harmed party is an organisation; the manager who will attend is experienced and not intimidated.",
    ];
    internal static readonly string[] AcceptanceTexts =
    [
        "Accepts full responsibility and says they want to apologise in person.",
        "Accepts responsibility; minimised the effect at first, but understood it after talking it through with a parent.",
        "Accepts what happened and is embarrassed about it; wants to put things right.",
        "Accepts responsibility and has offered to repair the damage.",
    ];
    internal static readonly string[] WishesTexts =
    [
        "Wants an apology and to feel safe in the corridors again.",
        "Wants the damage repaired and to understand why it happened.",
        "Would like to meet so that the young person hears how it affected the family.",
        "Wants the young person to understand the effect on staff and pupils; open to a meeting.",
    ];
    internal static readonly string[] NotSuitableReasons =
    [
        "The harmed pupil does not want to meet; a letter of apology through the school has been suggested instead.",
        "When seen again, the young person denied the central part of what happened.",
        "An ongoing dispute between the families makes a safe meeting unlikely at present.",
        "The young person's needs call for a different approach; passed to the school's special educational needs coordinator.",
    ];
    internal static readonly string[] WithdrawReasons =
    [
        "The young person has moved to a school outside the partnership area.",
        "The harmed party's family asked for the matter to be dealt with formally instead.",
        "The family asked the school to deal with the matter within its own behaviour policy.",
        "Further information showed the incident was part of a wider matter now handled by children's services.",
    ];

    // ---- What happens at and after a conference ----

    internal static readonly string[] RoomNames =
        ["Library meeting room", "Pastoral office", "Inclusion room", "Conference room", "Learning support room", "Sixth form study room"];
    internal static readonly string[] PreparationNotes =
    [
        "Went through what will happen on the day and who will be there; happy to sit next to a parent.",
        "Talked about what to say first; wants to explain how it started.",
        "Nervous but wants to go ahead; agreed a signal to ask for a break.",
        "Discussed what a fair way to put things right would be.",
        "",
    ];
    internal static readonly string[] RescheduleReasons =
    [
        "The harmed party's parent cannot leave work that afternoon.",
        "The young person has a school trip that day.",
        "The room is needed for mock examinations.",
    ];
    internal static readonly string[] CancelReasons =
    [
        "The young person is unwell this week; a new date will be found.",
        "The harmed party asked for more time before meeting.",
        "The school closed for the day (heating failure).",
    ];
    internal static readonly string[] NotHeldReasons =
    [
        "The harmed party did not come; the family said later that they had forgotten.",
        "The young person was absent from school that day.",
        "The parent could not be reached on the morning and the young person would not go ahead without them.",
    ];
    internal static readonly string[] Reflections =
    [
        "I didn't think about how scared they were. I want to show I'm not like that.",
        "It was harder than I thought to hear how it affected them. I'm glad I said sorry properly.",
        "I know now it wasn't a joke to them. I'll keep away from the group that started it.",
        "My mum being there helped. I want to pay it back and get it over with.",
    ];
    internal static readonly IReadOnlyDictionary<string, string[]> ActionTexts = new Dictionary<string, string[]>
    {
        ["written_apology"] = ["Write a letter of apology, given to the harmed party through the facilitator.", "Write a card to say sorry, read by the head of year first."],
        ["verbal_apology"] = ["Say sorry in person, with the head of year present.", "Apologise to the harmed pupil at the start of the next tutor time they share."],
        ["repair_or_replace"] = ["Help the site team repaint the damaged wall.", "Replace the broken phone case from birthday money."],
        ["compensation"] = ["Pay back the cost of what was taken, in weekly instalments through the school office."],
        ["work"] = ["Help the site team after school (litter picking and tidying the playground).", "Help at the community garden on Saturday mornings."],
        ["programme"] = ["Attend the school's four-week anger management group.", "Attend two sessions with the young people's substance misuse service."],
        ["behaviour_commitment"] = ["Keep away from the harmed pupil at break and lunch, and not post about them online.", "No further incidents on the bus to and from school for the rest of term."],
        ["other"] = ["Meet the head of year once a week for a month to talk about how things are going."],
    };
    internal static readonly string[] MissedReasons =
    [
        "Not done by the due date: the young person said they had forgotten.",
        "The young person was off school for a week and could not do it.",
        "Only part was done by the due date.",
    ];
    internal static readonly string[] ExtendReasons =
    [
        "Two more weeks agreed with the young person and their parent.",
        "A new date agreed after the young person's absence.",
    ];
    internal static readonly string[] NewConferenceReasons =
    [
        "The harmed party's family asked to meet again after a further falling-out.",
        "The young person wants to change what was agreed; both families agreed to meet again.",
    ];
    internal static readonly string[] FailedReasons =
    [
        "The young person refused to do what was agreed and did not engage after two reminders.",
        "A further incident against the same pupil; passed to the police for formal action.",
    ];
    internal static readonly string[] CloseNoAgreementReasons =
    [
        "No agreement could be reached; the school will deal with it under its behaviour policy.",
        "The parties could not agree what would put things right; the harmed party did not want to meet again.",
    ];
    internal static readonly string[] CloseWithdrawnReasons =
    [
        "Withdrawn, and nothing further to do: closing.",
        "The family moved away; nothing further to do.",
    ];
}

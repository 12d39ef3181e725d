
namespace RjConferences.Security;

/// <summary>
/// <c>create-user --email … --role … [--name …] [--school "Borough/School"] [--borough …]</c> for
/// headless installs. Options may repeat. The password is read from standard input, or generated
/// and printed once (the user must then change it at first sign-in).
/// </summary>
public static class CreateUserCommand
{
    public const string Usage =
        "Usage: create-user --email <email> --role <Administrator|Referrer|Facilitator|YouthJusticeReviewer> " +
        "[--role …] [--name \"Full name\"] [--school \"Borough/School\"] [--borough \"Borough\"]\n" +
        "The password is read from standard input; when none is given, one is generated and printed once.";

    /// <summary>The options are read by the command line (<see cref="Commands.CommandLine"/>), which refuses any other.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyDictionary<string, List<string>> options,
        TextReader input, TextWriter output, TextWriter error)
    {
        if (!options.ContainsKey("email") || !options.ContainsKey("role"))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        var email = options["email"][0];
        var roles = options["role"].Select(r => Roles.All.FirstOrDefault(x => x.Equals(r, StringComparison.OrdinalIgnoreCase)) ?? r).ToList();
        var db = services.GetRequiredService<Db>();
        var schoolIds = new List<long>();
        foreach (var school in options.GetValueOrDefault("school") ?? [])
        {
            var id = await FindSchoolAsync(db, school);
            if (id is null)
            {
                await error.WriteLineAsync($"No school '{school}'. Write it as \"Borough/School\", e.g. \"Newham/Langdon Park\".");
                return 2;
            }
            schoolIds.Add(id.Value);
        }
        var boroughIds = new List<long>();
        foreach (var borough in options.GetValueOrDefault("borough") ?? [])
        {
            await using var connection = await db.OpenAsync();
            var id = await connection.ExecuteScalarAsync<long?>("SELECT id FROM boroughs WHERE lower(name) = lower(@borough)", new { borough });
            if (id is null)
            {
                await error.WriteLineAsync($"No borough '{borough}'.");
                return 2;
            }
            boroughIds.Add(id.Value);
        }

        var typed = Console.IsInputRedirected || input != Console.In ? (await input.ReadLineAsync())?.TrimEnd('\r', '\n') : null;
        var generated = string.IsNullOrEmpty(typed);
        var password = generated ? UserAccounts.GeneratePassword() : typed!;
        var name = options.GetValueOrDefault("name")?[0] ?? email.Split('@')[0];

        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
        var result = await accounts.CreateAsync(new NewAccount(name, email, roles, schoolIds, boroughIds, password, MustChangePassword: generated), actorId: null);
        if (!result.Succeeded)
        {
            foreach (var message in result.Errors.SelectMany(e => e.Value))
            {
                await error.WriteLineAsync(message);
            }
            return 1;
        }
        await output.WriteLineAsync($"Created {email} ({string.Join(", ", roles)}).");
        if (generated)
        {
            await output.WriteLineAsync($"One-time password (shown once; it must be changed at first sign-in): {password}");
        }
        return 0;
    }

    private static async Task<long?> FindSchoolAsync(Db db, string boroughSlashSchool)
    {
        var slash = boroughSlashSchool.IndexOf('/');
        if (slash <= 0) return null;
        const string sql = """
            SELECT s.id FROM schools AS s JOIN boroughs AS b ON b.id = s.borough_id
            WHERE lower(b.name) = lower(@borough) AND lower(s.name) = lower(@school)
            """;
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<long?>(sql, new
        {
            borough = boroughSlashSchool[..slash].Trim(),
            school = boroughSlashSchool[(slash + 1)..].Trim(),
        });
    }
}

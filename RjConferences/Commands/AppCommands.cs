using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using RjConferences.Features.Backups;
using RjConferences.Features.Demo;
using RjConferences.Features.FollowUps;
using RjConferences.Tools;

namespace RjConferences.Commands;

/// <summary>What a command is given: the app's services, its command line, and the console.</summary>
public sealed record CommandContext(IServiceProvider Services, CommandLine Line, TextReader Input, TextWriter Output, TextWriter Error);

/// <summary>
/// A command of the app: its name, a one-line description for <c>--help</c>, its options, and an optional
/// argument (<c>backup &lt;file&gt;</c>). <see cref="NeedsDatabase"/>: refused when there is no database yet.
/// <see cref="Migrates"/>: the migrations are applied first (all but <c>restore</c>, which must not touch the database it replaces).
/// </summary>
public sealed record AppCommand(string Name, string Description, IReadOnlyList<CommandOption> Options,
    Func<CommandContext, Task<int>> RunAsync, string? Argument = null, bool NeedsDatabase = true, bool Migrates = true);

/// <summary>
/// Every command of the app, in one place, and the one way they are run: the command line is read once
/// (<see cref="CommandLine"/>); a line that cannot be read, an unknown command or option, is refused with
/// exit code 2 before anything is built or opened. <c>--help</c> lists the commands.
/// </summary>
public static class AppCommands
{
    public static readonly IReadOnlyList<AppCommand> All =
    [
        new("migrate", "Creates the database, or applies the migrations it lacks, then exits.", [],
            async c =>
            {
                await c.Output.WriteLineAsync($"Database is up to date: {c.Services.GetRequiredService<Db>().Description}.");
                return 0;
            },
            NeedsDatabase: false),
        new("create-user", "Creates an account; the password is read from standard input, or generated and printed once.",
            [
                new("email", "<email>", "the account's email address", Required: true),
                new("role", "<role>", $"{string.Join(", ", Roles.All)}; repeat for more than one", Required: true, Repeats: true),
                new("name", "<\"Full name\">", "the name shown in the app (default: the email address before the @)"),
                new("school", "<\"Borough/School\">", "a school whose cases the account sees; repeatable", Repeats: true),
                new("borough", "<\"Borough\">", "a borough whose schools' cases the account sees; repeatable", Repeats: true),
            ],
            c => CreateUserCommand.RunAsync(c.Services, c.Line.Options, c.Input, c.Output, c.Error)),
        new("retention", "Lists the closed cases past the retention period (the daily job anonymises them; this changes nothing).",
            [new("dry-run", null, "lists only (the command changes nothing)", Required: true)],
            c => c.Services.GetRequiredService<Retention>().DryRunCommandAsync(c.Line.Has("dry-run"))),
        new("backup", "Copies the database, consistently even while the app runs, to a new file.", [],
            c => c.Services.GetRequiredService<Db>().BackupAsync(c.Line.Arguments.FirstOrDefault()),
            Argument: "<file>"),
        new("restore", "Checks a backup (integrity, audit chain, schema, row counts), then puts it in place of the database; refused while the app runs on it.",
            [new("to", "<database>", "the SQLite database file to replace (default: the app's own, ConnectionStrings:Default)")],
            c => c.Services.GetRequiredService<DatabaseRestore>().RunAsync(c.Line.Arguments.FirstOrDefault(), c.Line.Value("to"), c.Output, c.Error),
            Argument: "<backup-file>", NeedsDatabase: false, Migrates: false),
        new("verify-audit", "Checks the audit log's hash chain; exit code 1 when it is broken.", [],
            c => c.Services.GetRequiredService<AuditLog>().VerifyCommandAsync()),
        new("seed-demo", "Fills an empty database with demonstration accounts and about 200 cases.", [],
            c => DemoData.RunAsync(c.Services, c.Output, c.Error)),
        new(SyntheticData.Command, "Adds synthetic cases for benchmarks (fast; not through the app's services, no audit).",
            [
                new("cases", "<N>", $"how many, from 1 to {SyntheticData.MaxCases:N0}", Required: true),
                new("seed", "<number>", "the random seed (default 1)"),
            ],
            c => SyntheticData.RunAsync(c.Services, c.Line.Value("cases"), c.Line.Value("seed"), c.Output, c.Error)),
        new("copy-database", "Copies this SQLite database, every row with its ids, into an empty PostgreSQL database, and verifies the copy.",
            [new("to-postgres", "<\"connection string\">", "the new, empty PostgreSQL database: \"Host=…;Database=…;Username=…;Password=…\"", Required: true)],
            c => CopyDatabase.RunAsync(c.Services, c.Line.Value("to-postgres"), c.Output, c.Error)),
    ];

    public static CommandLine Parse(string[] args) => CommandLine.Parse(args, All);

    /// <summary>
    /// Help, or a command line that cannot be read: answers it and returns the exit code (0 for help, 2 for a problem);
    /// null when there is something to run (a command, or the app).
    /// </summary>
    public static int? Answer(CommandLine line, TextWriter output, TextWriter error)
    {
        if (line.Problem is not null)
        {
            error.WriteLine(line.Problem);
            error.WriteLine(line.Command is { } command
                ? $"Usage: {Usage(command)}\nRun with --help to list every command."
                : $"Commands: {string.Join(", ", All.Select(c => c.Name))}. A setting names its section (--Section:Key value) or uses --key=value. " +
                  "Run with --help for more.");
            return 2;
        }
        if (line.Help)
        {
            output.Write(HelpText());
            return 0;
        }
        return null;
    }

    public static string Usage(AppCommand command) => string.Join(" ",
        new[] { command.Name, command.Argument }.Concat(command.Options.Select(o =>
            (o.Required ? o.Syntax : $"[{o.Syntax}]") + (o.Repeats ? " …" : "")))
        .Where(p => p is not null));

    public static string HelpText()
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("RjConferences: restorative justice conferences for schools.");
        text.AppendLine();
        text.AppendLine("Usage: RjConferences [command] [options] [settings]");
        text.AppendLine("With no command, applies the migrations the database lacks (creating it on first run) and serves the app.");
        text.AppendLine();
        text.AppendLine("Commands:");
        var width = All.Max(c => (c.Name + (c.Argument is null ? "" : " " + c.Argument)).Length) + 2;
        foreach (var command in All)
        {
            text.AppendLine($"  {(command.Name + (command.Argument is null ? "" : " " + command.Argument)).PadRight(width)}{command.Description}");
            var optionWidth = command.Options.Count == 0 ? 0 : command.Options.Max(o => o.Syntax.Length) + 2;
            foreach (var option in command.Options)
            {
                text.AppendLine($"  {"".PadRight(width)}  {option.Syntax.PadRight(optionWidth)}{(option.Required ? "required; " : "")}{option.Description}");
            }
        }
        text.AppendLine($"  {"help".PadRight(width)}Shows this list (also --help or -h).");
        text.AppendLine();
        text.AppendLine("Every command but migrate needs an existing database. Settings are configuration, before or after the command:");
        text.AppendLine("  --ConnectionStrings:Default=\"Data Source=data/other.db\"   --urls http://localhost:5080   --environment Development");
        text.AppendLine("  (a setting is --Section:Key value, --key=value, or one of: " + string.Join(", ", CommandLine.HostSettings.Order(StringComparer.OrdinalIgnoreCase)) + ")");
        return text.ToString();
    }

    /// <summary>
    /// Applies migrations, then either runs the command or serves the app.
    /// Every command but <c>migrate</c> needs an existing database: given a path where there is none,
    /// it says so and creates nothing (a mistyped path must not "succeed" on a new, empty database).
    /// The app itself (no command) creates its database on first run.
    /// Returns the process exit code.
    /// </summary>
    public static async Task<int> RunAsync(WebApplication app, CommandLine line)
    {
        if (Answer(line, Console.Out, Console.Error) is { } answered)
        {
            return answered;
        }
        var command = line.Command;
        var db = app.Services.GetRequiredService<Db>();
        if (command is { NeedsDatabase: true } && !db.Exists)
        {
            await Console.Error.WriteLineAsync(
                $"There is no database at '{Path.GetFullPath(db.DatabasePath)}'. Check the connection string (ConnectionStrings:Default), " +
                "or run the migrate command first to create a new, empty database there. Nothing was done.");
            return 1;
        }

        try
        {
            if (command is not { Migrates: false })
            {
                await app.Services.GetRequiredService<Migrator>().MigrateAsync();
            }
        }
        catch (StartupException e)
        {
            await Console.Error.WriteLineAsync($"RjConferences cannot start: {e.Message}");
            return 1;
        }

        if (command is not null)
        {
            return await command.RunAsync(new CommandContext(app.Services, line, Console.In, Console.Out, Console.Error));
        }

        var firstRun = app.Services.GetRequiredService<FirstRunSetup>();
        if (await firstRun.IssueTokenIfNoUsersAsync() is { } token)
        {
            app.Lifetime.ApplicationStarted.Register(() => firstRun.LogLink(token,
                app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()));
        }

        await app.RunAsync();
        return 0;
    }
}

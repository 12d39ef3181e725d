using RjConferences.Commands;
using RjConferences.Tests.Support;

namespace RjConferences.Tests.Data;

/// <summary>The one command line: the commands, their options, the host's settings, --help, and refusing what it cannot read.</summary>
public class CommandLineTests
{
    [Fact]
    public void A_command_takes_its_options_and_leaves_the_settings_to_the_host()
    {
        var line = AppCommands.Parse(["create-user", "--email", "a@rj.example", "--role", "Referrer", "--urls", "http://127.0.0.1:5080",
            "--role", "Facilitator", "--ConnectionStrings:Default=Data Source=x.db", "--Logging:LogLevel:Default", "Warning",
            "--environment", "Production", "Reports:SuppressBelow=5"]);

        Assert.Null(line.Problem);
        Assert.Equal("create-user", line.Command!.Name);
        Assert.Equal("a@rj.example", line.Value("email"));
        Assert.Equal(["Referrer", "Facilitator"], line.Values("role"));
        Assert.Equal(["--urls", "http://127.0.0.1:5080", "--ConnectionStrings:Default=Data Source=x.db", "--Logging:LogLevel:Default", "Warning",
            "--environment", "Production", "Reports:SuppressBelow=5"], line.Settings);
    }

    [Fact]
    public void No_command_serves_the_app_with_the_settings()
    {
        var line = AppCommands.Parse(["--urls", "http://127.0.0.1:5080", "--environment=Development"]);

        Assert.Null(line.Problem);
        Assert.False(line.Help);
        Assert.Null(line.Command);
        Assert.Equal(["--urls", "http://127.0.0.1:5080", "--environment=Development"], line.Settings);
    }

    [Theory]
    [InlineData("Unknown command 'serve'.", "serve")]
    [InlineData("Unknown option '--port'.", "--port", "5080")]
    [InlineData("Unknown option '--dryrun' for retention.", "retention", "--dryrun")]
    [InlineData("Unknown option '--force' for backup.", "backup", "copy.db", "--force")]
    [InlineData("Unexpected argument 'other.db' for backup.", "backup", "copy.db", "other.db")]
    [InlineData("Unexpected argument 'now' for verify-audit.", "verify-audit", "now")]
    [InlineData("The option '--cases' of generate-synthetic needs a value: --cases <N>.", "generate-synthetic", "--cases")]
    [InlineData("The option '--email' of create-user is given twice.", "create-user", "--email", "a@x", "--email", "b@x")]
    [InlineData("The setting '--urls' needs a value: --urls <value> or --urls=<value>.", "--urls")]
    public void A_line_it_cannot_read_is_refused_with_exit_code_2_and_what_to_do(string problem, params string[] args)
    {
        var line = AppCommands.Parse(args);
        var output = new StringWriter();
        var error = new StringWriter();

        Assert.Equal(2, AppCommands.Answer(line, output, error));
        Assert.Equal(problem, line.Problem);
        Assert.StartsWith(problem, error.ToString());
        Assert.Contains("--help", error.ToString());
        Assert.Equal("", output.ToString());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    [InlineData("backup", "--help")]
    public void Help_lists_every_command_with_its_options_and_exits_0(params string[] args)
    {
        var output = new StringWriter();

        Assert.Equal(0, AppCommands.Answer(AppCommands.Parse(args), output, new StringWriter()));

        var help = output.ToString();
        foreach (var command in AppCommands.All)
        {
            Assert.Contains($"\n  {command.Name}", help);
            Assert.All(command.Options, o => Assert.Contains(o.Syntax, help));
        }
        Assert.Contains("--ConnectionStrings:Default=", help);
    }

    [Fact]
    public async Task The_app_answers_help_without_opening_the_database()
    {
        using var database = new TestDatabase(migrated: false);

        var result = await AppProcess.RunAsync(database.ConnectionString, null, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("generate-synthetic", result.Output);
        Assert.False(File.Exists(database.FilePath));
    }

    [Fact]
    public async Task An_unknown_argument_no_longer_starts_the_web_server()
    {
        using var database = new TestDatabase(migrated: false);

        var result = await AppProcess.RunAsync(database.ConnectionString, null, "--port", "5080");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Unknown option '--port'", result.Error);
        Assert.False(File.Exists(database.FilePath));
    }
}

using RjConferences;
using RjConferences.Commands;
using RjConferences.Tools;

// The command line is read once: --help, or a line that cannot be read (an unknown command or option),
// is answered here, before anything is built or opened. Only the settings go to the host's configuration.
var line = AppCommands.Parse(args);
if (AppCommands.Answer(line, Console.Out, Console.Error) is { } exitCode)
{
    return exitCode;
}

if (line.Command?.Name == SyntheticData.Command)
{
    SyntheticData.BeforeSqliteStarts();
}

var builder = WebApplication.CreateBuilder(line.Settings);
builder.AddRjConferences();

var app = builder.Build();
app.UseRjConferences();

return await AppCommands.RunAsync(app, line);

public partial class Program;

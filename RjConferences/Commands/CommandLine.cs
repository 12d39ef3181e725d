namespace RjConferences.Commands;

/// <summary>An option of a command: <c>--name value</c>, or a flag (<see cref="Value"/> null) such as <c>--dry-run</c>.</summary>
public sealed record CommandOption(string Name, string? Value, string Description, bool Required = false, bool Repeats = false)
{
    public bool IsFlag => Value is null;

    public string Syntax => IsFlag ? $"--{Name}" : $"--{Name} {Value}";
}

/// <summary>
/// The command line, read once: the command (the first word), its options and arguments, and the
/// configuration settings (<c>--urls http://…</c>, <c>--ConnectionStrings:Default=…</c>, <c>--environment Production</c>)
/// that go to the host. <see cref="Problem"/> is set when the line cannot be understood; then nothing is run.
/// </summary>
public sealed class CommandLine
{
    /// <summary>
    /// Settings of the host that take one word and have no section (<c>--urls http://localhost:5080</c>); any other
    /// setting names its section (<c>--Logging:LogLevel:Default Warning</c>) or uses <c>=</c> (<c>--key=value</c>).
    /// </summary>
    public static readonly IReadOnlySet<string> HostSettings = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "urls", "environment", "contentRoot", "webroot", "applicationName", "http_ports", "https_ports", "AllowedHosts",
        "detailedErrors", "shutdownTimeoutSeconds", "hostingStartupAssemblies", "hostingStartupExcludeAssemblies",
        "preventHostingStartup", "suppressStatusMessages",
    };

    private readonly Dictionary<string, List<string>> options = new(StringComparer.OrdinalIgnoreCase);

    private CommandLine()
    {
    }

    /// <summary>Null: serve the app.</summary>
    public AppCommand? Command { get; private set; }

    public bool Help { get; private set; }

    public string? Problem { get; private set; }

    public IReadOnlyList<string> Arguments { get; private set; } = [];

    /// <summary>The settings, as the host's command-line configuration reads them.</summary>
    public string[] Settings { get; private set; } = [];

    public bool Has(string option) => options.ContainsKey(option);

    public string? Value(string option) => options.GetValueOrDefault(option)?[0];

    public IReadOnlyList<string> Values(string option) => options.GetValueOrDefault(option) ?? [];

    public IReadOnlyDictionary<string, List<string>> Options => options;

    public static bool IsSetting(string name) => name.Contains(':') || name.Contains("__", StringComparison.Ordinal) || HostSettings.Contains(name);

    public static CommandLine Parse(string[] args, IReadOnlyList<AppCommand> commands)
    {
        var line = new CommandLine();
        var settings = new List<string>();
        var arguments = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-?" || (arg == "help" && line.Command is null && arguments.Count == 0))
            {
                line.Help = true;
                continue;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.Length > 2)
            {
                var name = arg[2..];
                if (name.Contains('='))
                {
                    settings.Add(arg); // --key=value: always a setting
                    continue;
                }
                if (line.Command?.Options.FirstOrDefault(o => o.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } option)
                {
                    if (!line.options.TryGetValue(option.Name, out var values))
                    {
                        line.options[option.Name] = values = [];
                    }
                    else if (!option.Repeats)
                    {
                        return line.Fail($"The option '--{option.Name}' of {line.Command.Name} is given twice.");
                    }
                    if (option.IsFlag)
                    {
                        values.Add("");
                        continue;
                    }
                    if (i + 1 >= args.Length)
                    {
                        return line.Fail($"The option '--{option.Name}' of {line.Command.Name} needs a value: {option.Syntax}.");
                    }
                    values.Add(args[++i]);
                    continue;
                }
                if (IsSetting(name))
                {
                    if (i + 1 >= args.Length)
                    {
                        return line.Fail($"The setting '{arg}' needs a value: {arg} <value> or {arg}=<value>.");
                    }
                    settings.Add(arg);
                    settings.Add(args[++i]);
                    continue;
                }
                return line.Fail(line.Command is null
                    ? $"Unknown option '{arg}'."
                    : $"Unknown option '{arg}' for {line.Command.Name}.");
            }
            if (arg.IndexOf('=') is > 0 and var equals && IsSetting(arg[..equals]))
            {
                settings.Add(arg); // Section:Key=value, the host's other form
                continue;
            }
            if (line.Command is null && arguments.Count == 0)
            {
                line.Command = commands.FirstOrDefault(c => c.Name == arg);
                if (line.Command is null)
                {
                    return line.Fail($"Unknown command '{arg}'.");
                }
                continue;
            }
            if (line.Command is not { Argument: not null } || arguments.Count > 0)
            {
                return line.Fail(line.Command is null
                    ? $"Unexpected argument '{arg}'."
                    : $"Unexpected argument '{arg}' for {line.Command.Name}.");
            }
            arguments.Add(arg);
        }
        line.Arguments = arguments;
        line.Settings = [.. settings];
        return line;
    }

    private CommandLine Fail(string problem)
    {
        Problem = problem;
        return this;
    }
}

using RjConferences;

var builder = WebApplication.CreateBuilder(args);
builder.AddRjConferences();

var app = builder.Build();
app.UseRjConferences();

return await app.RunRjConferencesAsync(args);

public partial class Program;

using Microsoft.Extensions.Hosting;
using Pipeline.Aggregator;
using Pipeline.ServiceDefaults;

var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();
await builder.Build().RunAsync();

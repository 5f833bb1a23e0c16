using Microsoft.Extensions.Hosting;
using Pipeline.ServiceDefaults;
using Pipeline.VerifierWorker;

var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();
await builder.Build().RunAsync();

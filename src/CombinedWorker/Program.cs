using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.CombinedWorker;
using Pipeline.ProposalWorker;
using Pipeline.ServiceDefaults;
using Pipeline.VerifierWorker;

// Both roles in one process: the ProposalWorker's and the VerifierWorker's settings (Proposal__*, Verifier__*,
// Inference__*, Models__*) apply as they are; each role announces itself with its own heartbeat.
var builder = Host.CreateApplicationBuilder(args);
builder.AddServiceDefaults();
builder.AddProposalEngine();
builder.AddVerifierScorer();
builder.Services.AddPipelineBus(x =>
{
    x.AddProposalConsumer();
    x.AddVerifierConsumer();
});
builder.Services.AddWorkerHeartbeat<ProposalWorkerDescription>();
builder.Services.AddWorkerHeartbeat<VerifierWorkerDescription>();
builder.Services.AddHostedService<GpuMemoryCheck>();
await builder.Build().RunAsync();

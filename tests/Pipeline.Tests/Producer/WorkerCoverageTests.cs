using Pipeline.Producer.Status;
using Pipeline.Storage.Workers;

namespace Pipeline.Tests.Producer;

public sealed class WorkerCoverageTests
{
    private static WorkerStatusRow Row(string worker, string role, string model, string slot, bool alive, double ago = 3) =>
        new(worker, role, model, slot, "cpu", DateTime.UtcNow, ago, alive);

    [Fact]
    public void A_model_counts_as_served_only_by_an_alive_worker_of_the_role_that_serves_its_slot()
    {
        var models = WorkerCoverage.Models("pol", "prm", "rev");
        Assert.Equal(["policy pol", "prm prm", "revision rev"], models.Select(m => $"{m.Slot} {m.Name}"));
        Assert.Equal(2, WorkerCoverage.Models("pol", "prm", null).Count);

        var workers = new[]
        {
            Row("a:1", "proposal", "pol", "policy", alive: true),
            Row("a:2", "proposal", "prm", "policy", alive: true),     // the PRM's name on a proposal worker serves no PRM round
            Row("a:3", "verifier", "prm", "prm", alive: false, ago: 125),
        };
        var unserved = WorkerCoverage.Unserved(models, workers);
        Assert.Equal(["prm", "rev"], unserved.Select(m => m.Name));
        Assert.Equal("prm 'prm' (last heartbeat 2m05s ago from a:3), revision 'rev' (no worker ever announced it)",
            WorkerCoverage.Describe(unserved, workers));

        Assert.Empty(WorkerCoverage.Unserved(models, [.. workers, Row("b:1", "verifier", "prm", "prm", true), Row("b:2", "proposal", "rev", "revision", true)]));
    }

    [Fact]
    public void Alive_workers_of_an_unserved_models_role_are_the_ones_that_will_fault_its_rounds()
    {
        var unserved = WorkerCoverage.Unserved(WorkerCoverage.Models("big", "prm", null), [Row("v:1", "verifier", "prm", "prm", true)]);
        Assert.Equal(["big"], unserved.Select(m => m.Name));
        var alive = new[]
        {
            Row("p:2", "proposal", "small", "policy", alive: true),
            Row("p:1", "proposal", "small", "policy", alive: true),
            Row("p:1", "proposal", "rev", "revision", alive: true),
            Row("p:9", "proposal", "small", "policy", alive: false),
            Row("v:1", "verifier", "prm", "prm", alive: true),
        };
        var faulting = WorkerCoverage.Faulting(unserved, alive);
        Assert.Equal([("proposal", "p:1,p:2")], faulting.Select(f => (f.Role, string.Join(",", f.Workers))));
        Assert.Empty(WorkerCoverage.Faulting(unserved, [Row("v:1", "verifier", "prm", "prm", true), Row("p:9", "proposal", "small", "policy", false)]));
    }
}

namespace Pipeline.Contracts;

/// <summary>The names <see cref="WorkerHeartbeat"/> uses: worker roles and the run spec's model slots, and which role
/// serves which slot. One list, read by the workers, the check constraints of table <c>workers</c> and the CLI.</summary>
public static class WorkerRoles
{
    public const string Proposal = "proposal";
    public const string Verifier = "verifier";
    public static readonly IReadOnlyList<string> All = [Proposal, Verifier];

    public const string PolicySlot = "policy";
    public const string RevisionSlot = "revision";
    public const string PrmSlot = "prm";
    public static readonly IReadOnlyList<string> Slots = [PolicySlot, RevisionSlot, PrmSlot];

    /// <summary>The role whose workers serve a model of <paramref name="slot"/>.</summary>
    public static string ForSlot(string slot) => slot == PrmSlot ? Verifier : Proposal;
}

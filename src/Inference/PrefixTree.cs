namespace Pipeline.Inference;

/// <summary>One run of tokens scored once: positions [Start, End) of every member's ids, after its
/// parent's [0, Start). <see cref="Members"/> are the inputs whose ids run through this node.</summary>
public sealed record PrefixNode(int Level, int Start, int End, int Parent, int[] Members);

/// <summary>How PRM inputs that start alike are scored (pure): a search round's candidates share the
/// problem and their beam's earlier steps, and several beams share the problem, so the inputs form a
/// tree of common prefixes. Each node is prefilled once, after a copy of its parent's cache; its
/// positions' scores serve every member. Level 0 nodes start at position 0. A branch shorter than
/// <c>minSegment</c> tokens is not worth a cache copy, so it is folded into its children (which then
/// prefill it themselves): inputs that share a short run and then more (problems that start with the same few
/// words, then each problem's beams) still get nodes for what they share after it. Folding the whole group into
/// single-input leaves instead made every candidate of such problems prefill its problem and all its steps, and
/// kept nothing for the next round: on an H200 at beam search N=256 over 10 MATH-500 problems a round's PRM ran
/// 150-258 tokens a candidate where one step is 40.</summary>
public static class PrefixTree
{
    public static IReadOnlyList<PrefixNode> Plan(IReadOnlyList<int[]> inputs, int minSegment = 16)
    {
        var order = Enumerable.Range(0, inputs.Count).ToArray();
        Array.Sort(order, (a, b) => Compare(inputs[a], inputs[b], a, b));
        var nodes = new List<PrefixNode>();
        Build(inputs, order, 0, order.Length, start: 0, shared: 0, parent: -1, level: 0, minSegment, nodes);
        return nodes;
    }

    // Inputs order[from..to) share positions [0, shared), and their nodes below `parent` start at `start` (<= shared:
    // the run [start, shared) was too short to be a node of its own).
    private static void Build(IReadOnlyList<int[]> inputs, int[] order, int from, int to, int start, int shared, int parent, int level,
        int minSegment, List<PrefixNode> nodes)
    {
        var i = from;
        while (i < to)
        {
            // The run of inputs with the same token at `shared` (adjacent: the order is sorted).
            var j = i + 1;
            var common = inputs[order[i]].Length;
            while (j < to && CommonPrefix(inputs[order[i]], inputs[order[j]]) is var c && c > shared)
            {
                common = Math.Min(common, c);
                j++;
            }
            if (j - i == 1)
                nodes.Add(new PrefixNode(level, start, inputs[order[i]].Length, parent, [order[i]]));   // alone: its own tokens
            else if (common - start < minSegment)
                // A shared run too short to be worth a cache copy: the group's nodes start at `start` and split further down.
                Build(inputs, order, i, j, start, common, parent, level, minSegment, nodes);
            else
            {
                var node = nodes.Count;
                nodes.Add(new PrefixNode(level, start, common, parent, order[i..j]));
                var rest = i;
                while (rest < j && inputs[order[rest]].Length == common) rest++;   // these end here
                Build(inputs, order, rest, j, common, common, node, level + 1, minSegment, nodes);
            }
            i = j;
        }
    }

    public static int CommonPrefix(int[] a, int[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        var i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }

    private static int Compare(int[] a, int[] b, int ia, int ib)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
            if (a[i] != b[i]) return a[i].CompareTo(b[i]);
        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : ia.CompareTo(ib);
    }
}

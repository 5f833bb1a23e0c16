namespace Pipeline.Inference;

/// <summary>Tokenizer files of a model, with absolute paths.</summary>
/// <param name="Kind">"gpt2-bpe" or "qwen2-bpe" (byte-level BPE from vocab.json + merges.txt, differing in
/// the pre-tokenizer regex), or "hf-json" (a Hugging Face tokenizer.json holding a byte-level BPE model).</param>
public sealed record TokenizerSpec(string Kind, string? VocabPath, string? MergesPath, string? TokenizerJsonPath);

namespace Pipeline.Inference;

public enum ModelRole { Policy, Prm, Revision }

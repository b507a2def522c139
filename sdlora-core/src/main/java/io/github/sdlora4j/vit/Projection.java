package io.github.sdlora4j.vit;

/** The attention projections that can carry an adapter. SD-LoRA adapts q and v only. */
public enum Projection {
    Q("q", 0), V("v", 2);

    private final String key;
    private final int qkvIndex;

    Projection(String key, int qkvIndex) {
        this.key = key;
        this.qkvIndex = qkvIndex;
    }

    /** Lower-case name used in tensor names ({@code q} or {@code v}). */
    public String key() {
        return key;
    }

    /** Position of this projection's rows in the fused qkv weight (q=0, k=1, v=2). */
    public int qkvIndex() {
        return qkvIndex;
    }
}

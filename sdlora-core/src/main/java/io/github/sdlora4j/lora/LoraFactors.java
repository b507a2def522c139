package io.github.sdlora4j.lora;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * One low-rank adapter: {@code A} [r, d] and {@code B} [d, r], so the weight update is {@code B·A} ([d, d]),
 * the layout of PyTorch's {@code nn.Linear(d, r)} followed by {@code nn.Linear(r, d)}.
 */
public record LoraFactors(INDArray a, INDArray b) {

    /** Checks that the factors are a matching pair. */
    public LoraFactors {
        if (a == null || b == null || a.rank() != 2 || b.rank() != 2 || a.size(0) != b.size(1) || a.size(1) != b.size(0)) {
            throw new IllegalArgumentException("LoRA factors must be A [r, d] and B [d, r], got A "
                    + (a == null ? "null" : Arrays.toString(a.shape())) + " and B "
                    + (b == null ? "null" : Arrays.toString(b.shape())));
        }
    }

    /** The rank r. */
    public int rank() {
        return (int) a.size(0);
    }

    /** The width d. */
    public int dim() {
        return (int) a.size(1);
    }

    /** True when the adapter contributes nothing (B or A all zero, e.g. merged away by KD). */
    public boolean isZero() {
        return a.amaxNumber().doubleValue() == 0.0 || b.amaxNumber().doubleValue() == 0.0;
    }

    /** Deep copy. */
    public LoraFactors copy() {
        return new LoraFactors(a.dup('c'), b.dup('c'));
    }
}

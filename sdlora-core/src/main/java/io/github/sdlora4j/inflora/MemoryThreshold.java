package io.github.sdlora4j.inflora;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * InfLoRA's memory threshold ε per task, raised linearly from {@code first} at task 0 towards {@code last}:
 * {@code ε_t = first + (last − first)·t/T} for T tasks, as in the reference code (0.95 to 1.0 in its CIFAR-100 and
 * DomainNet configurations; its ImageNet-R runs used 0.98 to 1.0).
 *
 * @param first ε of task 0, in (0, 1]
 * @param last  the value approached at task T, in [first, 1]
 */
public record MemoryThreshold(double first, double last) {

    /** The reference code's CIFAR-100 and DomainNet setting. */
    public static final MemoryThreshold DEFAULT = new MemoryThreshold(0.95, 1.0);

    /** Validates. */
    @JsonCreator
    public MemoryThreshold(@JsonProperty("first") double first, @JsonProperty("last") double last) {
        if (!(first > 0 && first <= 1) || !(last >= first && last <= 1)) {
            throw new IllegalArgumentException("InfLoRA's memory thresholds must satisfy 0 < first <= last <= 1, got "
                    + "first " + first + ", last " + last);
        }
        this.first = first;
        this.last = last;
    }

    /** ε for task {@code task} of {@code tasks}. */
    public double at(int task, int tasks) {
        if (tasks < 1 || task < 0 || task >= tasks) {
            throw new IllegalArgumentException("task must be in [0, " + tasks + "), got " + task);
        }
        return first + (last - first) * task / tasks;
    }
}

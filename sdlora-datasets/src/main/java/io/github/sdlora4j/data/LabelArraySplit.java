package io.github.sdlora4j.data;

import java.util.Objects;

/**
 * A split whose labels are held in an {@code int[]}, one per image: its size is the number of labels, and
 * {@link #label(int)} checks the index. Subclasses say how images are read.
 */
public abstract class LabelArraySplit implements DatasetSplit {

    private final int[] labels;

    /** @param labels original class index per image; not copied */
    protected LabelArraySplit(int[] labels) {
        this.labels = Objects.requireNonNull(labels, "labels");
    }

    @Override
    public final int size() {
        return labels.length;
    }

    @Override
    public final int label(int index) {
        return labels[Objects.checkIndex(index, labels.length)];
    }
}

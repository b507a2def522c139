package io.github.sdlora4j.datavec;

import io.github.sdlora4j.data.DatasetSplit;
import io.github.sdlora4j.data.ImageDecoder;
import io.github.sdlora4j.data.RawImage;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The records of a DataVec reader, read once: each image either kept as bytes (the reader handed over an array) or
 * as a file decoded when a batch needs it (the reader handed over a path), so folders of any size stay lazy and are
 * decoded on the benchmark's decode threads.
 */
final class RecordSplit implements DatasetSplit {

    private final List<RawImage> arrays;
    private final List<Path> files;
    private final int[] labels;
    private final List<String> sources;

    /** Entry i of {@code arrays} or of {@code files} is non-null, the other null. */
    RecordSplit(List<RawImage> arrays, List<Path> files, int[] labels, List<String> sources) {
        this.arrays = arrays;
        this.files = files;
        this.labels = Objects.requireNonNull(labels, "labels");
        this.sources = List.copyOf(sources);
        if (arrays.size() != labels.length || files.size() != labels.length || sources.size() != labels.length) {
            throw new IllegalArgumentException("records, files, labels and sources must have one entry each");
        }
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int label(int index) {
        return labels[Objects.checkIndex(index, labels.length)];
    }

    @Override
    public RawImage image(int index) {
        RawImage a = arrays.get(index);
        return a != null ? a : ImageDecoder.decode(files.get(index));
    }

    @Override
    public String source(int index) {
        return sources.get(index);
    }
}

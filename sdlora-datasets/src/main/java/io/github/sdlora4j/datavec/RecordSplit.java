package io.github.sdlora4j.datavec;

import io.github.sdlora4j.data.ImageDecoder;
import io.github.sdlora4j.data.LabelArraySplit;
import io.github.sdlora4j.data.RawImage;

import java.nio.file.Path;
import java.util.List;

/**
 * The records of a DataVec reader, read once: each image either kept as bytes (the reader handed over an array) or
 * as a file decoded when a batch needs it (the reader handed over a path), so folders of any size stay lazy and are
 * decoded on the benchmark's decode threads.
 */
final class RecordSplit extends LabelArraySplit {

    private final List<RawImage> arrays;
    private final List<Path> files;
    private final List<String> sources;

    /** Entry i of {@code arrays} or of {@code files} is non-null, the other null. */
    RecordSplit(List<RawImage> arrays, List<Path> files, int[] labels, List<String> sources) {
        super(labels);
        this.arrays = arrays;
        this.files = files;
        this.sources = List.copyOf(sources);
        if (arrays.size() != labels.length || files.size() != labels.length || sources.size() != labels.length) {
            throw new IllegalArgumentException("records, files, labels and sources must have one entry each");
        }
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

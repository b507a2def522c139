package io.github.sdlora4j.data;

import java.nio.file.Path;
import java.util.List;

/**
 * A split backed by image files that are decoded only when a batch needs them (image folders,
 * DomainNet), so that datasets of any size fit in memory.
 */
public final class FileListSplit extends LabelArraySplit {

    private final List<Path> files;

    /**
     * @param files  image files
     * @param labels original class index per file; not copied
     */
    public FileListSplit(List<Path> files, int[] labels) {
        super(labels);
        this.files = List.copyOf(files);
        if (labels.length != this.files.size()) {
            throw new IllegalArgumentException(files.size() + " files but " + labels.length + " labels");
        }
    }

    @Override
    public RawImage image(int index) {
        return ImageDecoder.decode(files.get(index));
    }

    @Override
    public void verify(int index, boolean decode) {
        if (decode) {
            ImageDecoder.decode(files.get(index));
        } else {
            ImageDecoder.checkHeader(files.get(index));
        }
    }

    @Override
    public String source(int index) {
        return files.get(index).toString();
    }

    /** @return the files, in index order */
    public List<Path> files() {
        return files;
    }

    /** @return the file of image {@code index} */
    public Path file(int index) {
        return files.get(index);
    }
}

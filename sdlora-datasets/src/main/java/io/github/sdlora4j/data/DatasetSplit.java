package io.github.sdlora4j.data;

/**
 * One split (train or test) of a labelled image dataset, indexed 0..size()-1, labels in the dataset's
 * ORIGINAL class space.
 *
 * <p>Implementations either hold compact decoded bytes ({@link InMemorySplit}), decode files lazily
 * ({@link FileListSplit}) or draw images procedurally. {@link #image(int)} must be safe to call from
 * several threads at once: batches are decoded in parallel.
 */
public interface DatasetSplit {

    /** @return number of images */
    int size();

    /** @return original class index of image {@code index} */
    int label(int index);

    /**
     * Decodes image {@code index}.
     *
     * @throws DatasetFormatException if the image cannot be read or decoded
     */
    RawImage image(int index);

    /**
     * Checks that image {@code index} can be used, for a data check before training. Splits backed by files read
     * the file's header (format, dimensions, a complete ending; see {@link ImageDecoder#checkHeader}) unless
     * {@code decode}; the others, whose images were decoded or are drawn when read, decode only when asked.
     *
     * @param decode decode the image fully
     * @throws DatasetFormatException if the image cannot be read or decoded
     */
    default void verify(int index, boolean decode) {
        if (decode) {
            image(index);
        }
    }

    /** @return a human-readable origin of image {@code index} (a file path, or file and record number) */
    String source(int index);
}

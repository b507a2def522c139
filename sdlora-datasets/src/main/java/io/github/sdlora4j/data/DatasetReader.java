package io.github.sdlora4j.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads one dataset format into a {@link LabeledDataset}. Readers never write into the dataset folder.
 * Implementations are registered by name in {@link DatasetReaders}.
 */
public interface DatasetReader {

    /** @return the format name used in configurations, e.g. {@code "cifar100"} */
    String name();

    /**
     * @param root        dataset location (file or folder; may be {@code null} for formats that need none)
     * @param options     format-specific options (documented by each reader); never {@code null}
     * @param skipCorrupt when true, skip unreadable records/files with a logged warning and a count
     *                    instead of failing
     * @throws DatasetFormatException if the files are missing or malformed
     */
    LabeledDataset read(Path root, Map<String, String> options, boolean skipCorrupt);

    /**
     * The options this reader takes in {@code dataset.options}; any other key is refused when a spec names this
     * format. None by default.
     */
    default List<ReaderOption> options() {
        return List.of();
    }

    /**
     * The options that identify the data of a reader that reads no files (a generator), defaults filled in, for
     * {@link DatasetIdentity}; by default the options as given.
     */
    default Map<String, String> generatorOptions(Map<String, String> options) {
        return options;
    }
}

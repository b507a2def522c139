package io.github.sdlora4j.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A dataset as its reader found it: class names and train/test splits, labels in the ORIGINAL class
 * space (sorted folder position, CIFAR fine label, ...).
 *
 * @param name       short description (format and location), used in messages
 * @param classNames name of each original class
 * @param train      training split
 * @param test       test split
 * @param files      every file the reader read or will read (images, record files, lists, class-name files), for
 *                   the dataset's identity ({@link DatasetIdentity}); empty for generated data
 */
public record LabeledDataset(String name, List<String> classNames, DatasetSplit train, DatasetSplit test,
                             List<Path> files) {

    /** Validates that the splits exist and the class list is non-empty. */
    public LabeledDataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        classNames = List.copyOf(classNames);
        files = files == null ? List.of() : List.copyOf(files);
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException(name + ": dataset has no classes");
        }
    }

    /** A dataset whose files are unknown (generated, or from a source that is not files). */
    public LabeledDataset(String name, List<String> classNames, DatasetSplit train, DatasetSplit test) {
        this(name, classNames, train, test, List.of());
    }

    /** @return number of original classes */
    public int numClasses() {
        return classNames.size();
    }
}

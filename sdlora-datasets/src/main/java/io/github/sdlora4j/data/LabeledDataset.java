package io.github.sdlora4j.data;

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
 */
public record LabeledDataset(String name, List<String> classNames, DatasetSplit train, DatasetSplit test) {

    /** Validates that the splits exist and the class list is non-empty. */
    public LabeledDataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        classNames = List.copyOf(classNames);
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException(name + ": dataset has no classes");
        }
    }

    /** @return number of original classes */
    public int numClasses() {
        return classNames.size();
    }
}

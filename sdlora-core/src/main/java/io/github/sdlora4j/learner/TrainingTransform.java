package io.github.sdlora4j.learner;

/** Which preprocessing a learner's training images must have. */
public enum TrainingTransform {
    /** The benchmark's training augmentation (random-resized crop and flip): for learners that train on the images. */
    AUGMENTED,
    /**
     * The deterministic test preprocessing (resize and centre crop): for learners that take statistics of the
     * training images instead of training on them, such as SimpleCIL's class means.
     */
    TEST
}

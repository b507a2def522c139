package io.github.sdlora4j.learner;

/** Which training data a learner is given for a task. */
public enum TrainingScope {
    /** Only the current task's classes: the class-incremental protocol. */
    CURRENT_TASK,
    /** Every class seen so far (joint training, the upper bound that breaks the protocol on purpose). */
    ALL_SEEN_CLASSES
}

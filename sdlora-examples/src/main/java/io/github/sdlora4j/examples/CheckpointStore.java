package io.github.sdlora4j.examples;

import io.github.sdlora4j.io.ClassifierMetadata;
import io.github.sdlora4j.learner.ClassIncrementalLearner;
import io.github.sdlora4j.vit.VitWeights;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A {@link Methods.Store} for one learner type: its checkpoint format's save, and its load, which checks the file
 * against the configuration the method builds its learners with for the run.
 *
 * @param <C> the learner's configuration
 * @param <L> the learner
 */
class CheckpointStore<C, L extends ClassIncrementalLearner> implements Methods.Store {

    /** The learner's configuration a run config describes for one seed of a stream of {@code tasks} tasks. */
    @FunctionalInterface
    interface Configure<C> {
        C config(RunConfig config, VitWeights backbone, long seed, int tasks);
    }

    /** A checkpoint format's save. */
    @FunctionalInterface
    interface Save<L> {
        void save(L learner, Path file, ClassifierMetadata classes) throws IOException;
    }

    /** A checkpoint format's load, refusing a file whose learner does not match {@code expected}. */
    @FunctionalInterface
    interface Load<C> {
        ClassIncrementalLearner load(Path file, C expected) throws IOException;
    }

    private final Class<L> type;
    private final String format;
    private final Configure<C> configure;
    private final Save<L> save;
    private final Load<C> load;

    /** @param format the format's name, as its files record it */
    CheckpointStore(Class<L> type, String format, Configure<C> configure, Save<L> save, Load<C> load) {
        this.type = type;
        this.format = format;
        this.configure = configure;
        this.save = save;
        this.load = load;
    }

    @Override
    public final String format() {
        return format;
    }

    @Override
    public final void save(ClassIncrementalLearner learner, Path file, ClassifierMetadata classes) throws IOException {
        save.save(type.cast(learner), file, classes);
    }

    @Override
    public final ClassIncrementalLearner load(Path file, RunConfig c, VitWeights b, long seed, int tasks)
            throws IOException {
        return load.load(file, configure.config(c, b, seed, tasks));
    }
}

package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.Suggestions;
import io.github.sdlora4j.fused.FusedThreads;
import io.github.sdlora4j.io.ClassifierMetadata;
import io.github.sdlora4j.learner.AbstractClassIncrementalLearner;
import io.github.sdlora4j.learner.ClassIncrementalLearner;
import io.github.sdlora4j.vit.VitWeights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The methods a run can use, by config name. A method is one small class holding its {@link Method} (name, settings
 * type, how to build and save its learner) and one registration line below; the runner knows nothing else about it.
 */
public final class Methods {

    /** Builds a fresh learner for one run seed and a stream of {@code tasks} tasks. */
    @FunctionalInterface
    public interface Factory {
        ClassIncrementalLearner create(RunConfig config, VitWeights backbone, long seed, int tasks);
    }

    /** Saves and restores a learner (only methods whose state the core can serialize have one). */
    public interface Store {
        /** The checkpoint format's name, as its files record it (e.g. {@code sdlora4j-learner/1}). */
        String format();

        /** Saves {@code learner}; {@code classes} (the benchmark's names, order, preprocessing) may be null. */
        void save(ClassIncrementalLearner learner, Path file, ClassifierMetadata classes) throws IOException;

        ClassIncrementalLearner load(Path file, RunConfig config, VitWeights backbone, long seed, int tasks)
                throws IOException;
    }

    /**
     * A method.
     *
     * @param name        the config name
     * @param description one line for --help and the manifest
     * @param settings    the type of its settings block ({@code method: {name: ..., <settings>}}), a record read
     *                    strictly; {@link NoSettings} for none
     * @param factory     builds the learner
     * @param store       saves/restores it, or null when it cannot be checkpointed (its seed restarts on resume)
     * @param trains      false for methods that only accumulate statistics (one pass is enough)
     */
    public record Method(String name, String description, Class<?> settings, Factory factory, Store store,
                         boolean trains) {

        /** Validates. */
        public Method {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(factory, "factory");
        }

        /** A method without settings of its own. */
        public Method(String name, String description, Factory factory, Store store, boolean trains) {
            this(name, description, NoSettings.class, factory, store, trains);
        }

        /** A fresh learner for {@code seed} and {@code tasks} tasks, with the run's training options (the engine, the threads). */
        public ClassIncrementalLearner create(RunConfig config, VitWeights backbone, long seed, int tasks) {
            return withOptions(factory.create(config, backbone, seed, tasks), config);
        }

        /** A learner restored from {@code file} (the method must have a store), with the run's training options. */
        public ClassIncrementalLearner load(Path file, RunConfig config, VitWeights backbone, long seed, int tasks)
                throws IOException {
            return withOptions(store.load(file, config, backbone, seed, tasks), config);
        }

        private static ClassIncrementalLearner withOptions(ClassIncrementalLearner learner, RunConfig config) {
            if (learner instanceof AbstractClassIncrementalLearner l) {
                l.useEngine(config.engine());
                // SDLORA_THREADS overrides the config: the default (0) reads it.
                l.setThreads(config.threads() == null || FusedThreads.setInEnvironment() ? 0 : config.threads());
            }
            return learner;
        }
    }

    private static final Map<String, Method> REGISTRY = new LinkedHashMap<>();

    static {
        register(SdLoraMethod.METHOD);
        register(SdLoraRrMethod.METHOD);
        register(SdLoraKdMethod.METHOD);
        register(InfLoraMethod.METHOD);
        register(SeqLoraMethod.METHOD);
        register(SimpleCilMethod.METHOD);
        register(JointMethod.METHOD);
    }

    private Methods() {
    }

    /** Registers (or replaces) a method. */
    public static void register(Method m) {
        REGISTRY.put(m.name(), m);
    }

    /** All methods by name, in registration order. */
    public static Map<String, Method> all() {
        return Collections.unmodifiableMap(REGISTRY);
    }

    /**
     * The registered names, for picocli's {@code completionCandidates}: an option's help lists them with
     * {@code ${COMPLETION-CANDIDATES}}, so a newly registered method appears there unasked.
     */
    public static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return all().keySet().iterator();
        }
    }

    /**
     * The method called {@code name}.
     *
     * @throws IllegalArgumentException listing the known methods (and the closest one) when there is none
     */
    public static Method require(String name) {
        Method m = name == null ? null : REGISTRY.get(name);
        if (m == null) {
            String close = name == null ? null : Suggestions.closest(name, REGISTRY.keySet());
            throw new IllegalArgumentException("unknown method '" + name + "'"
                    + (close != null ? " (did you mean '" + close + "'?)" : "") + "; known methods: "
                    + String.join(", ", REGISTRY.keySet()));
        }
        return m;
    }
}

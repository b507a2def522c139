package io.github.sdlora4j.learner;

import java.util.function.Supplier;

/** Runs test code with {@code -Dsdlora.engine} set, restoring the previous value afterwards. */
final class EngineProperty {

    private EngineProperty() {
    }

    static <T> T with(String engine, Supplier<T> body) {
        String previous = System.getProperty(TrainingEngine.PROPERTY);
        System.setProperty(TrainingEngine.PROPERTY, engine);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                System.clearProperty(TrainingEngine.PROPERTY);
            } else {
                System.setProperty(TrainingEngine.PROPERTY, previous);
            }
        }
    }

    static void with(String engine, Runnable body) {
        with(engine, () -> {
            body.run();
            return null;
        });
    }
}

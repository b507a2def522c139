package io.github.sdlora4j.learner;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which {@link TrainingEngine} a learner asks for: a learner option ({@link AbstractClassIncrementalLearner#useEngine})
 * and the run config's {@code engine} key. The system property {@value TrainingEngine#PROPERTY}, when set, overrides it.
 */
public enum EngineChoice {

    /** The fused engine where it can run, SameDiff otherwise. */
    AUTO,
    /** The fused engine, or an error saying why it cannot run. */
    FUSED,
    /** The SameDiff engine. */
    SAMEDIFF;

    /** The name in configs and on the command line. */
    @JsonValue
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The choice called {@code value} (any case).
     *
     * @param where names the setting, for the message
     * @throws IllegalArgumentException listing the valid names
     */
    public static EngineChoice parse(String value, String where) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (EngineChoice c : values()) {
            if (c.configName().equals(v)) {
                return c;
            }
        }
        throw new IllegalArgumentException(where + "=" + value + " is not an engine; valid values are "
                + Arrays.stream(values()).map(EngineChoice::configName).collect(Collectors.joining(", ")));
    }

    @JsonCreator
    static EngineChoice json(String value) {
        return parse(value, "engine");
    }
}

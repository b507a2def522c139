package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.Suggestions;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Reads a {@link RunConfig} from YAML or JSON (by extension; YAML otherwise, which also reads JSON) strictly: an
 * unknown key is an error naming the file, the key path and the closest known key.
 */
public final class ConfigLoader {

    /** JSON mapper of the tool's output files (paths as plain strings, indented). */
    static final ObjectMapper JSON = configure(new ObjectMapper()).enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper YAML = configure(new YAMLMapper());

    private ConfigLoader() {
    }

    private static ObjectMapper configure(ObjectMapper m) {
        SimpleModule paths = new SimpleModule("paths-as-strings");
        paths.addSerializer(Path.class, ToStringSerializer.instance);
        return m.registerModule(paths)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** Reads the config file {@code file}. */
    public static RunConfig load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file " + file + " does not exist", null);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return load(file.toString(), in);
        }
    }

    /** Reads a config from {@code in}; {@code name} (file or resource) appears in error messages. */
    public static RunConfig load(String name, InputStream in) throws IOException {
        ObjectMapper mapper = name.toLowerCase(Locale.ROOT).endsWith(".json") ? JSON : YAML;
        JsonNode tree;
        try {
            tree = mapper.readTree(in);
        } catch (JsonProcessingException e) {
            throw new ConfigException(name + ": not valid " + (mapper == JSON ? "JSON" : "YAML") + ": "
                    + e.getOriginalMessage() + location(e), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new ConfigException(name + ": expected a mapping of settings at the top level", null);
        }
        RunConfig config;
        try {
            config = mapper.readerFor(RunConfig.class).readValue(tree);
        } catch (UnrecognizedPropertyException e) {
            String key = path(e);
            String suggestion = Suggestions.closest(e.getPropertyName(), e.getKnownPropertyIds());
            throw new ConfigException(name + ": unknown key '" + key + "'"
                    + (suggestion != null ? " (did you mean '" + suggestion + "'?)" : "") + "; known keys here: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")),
                    e);
        } catch (JsonMappingException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String why = root instanceof IllegalArgumentException || root instanceof NullPointerException
                    ? root.getMessage() : e.getOriginalMessage();
            String key = path(e);
            throw new ConfigException(name + ": " + (key.isEmpty() ? "" : "at '" + key + "': ") + why, e);
        }
        JsonNode dataset = tree.get("dataset");
        boolean fixedOrder = dataset != null && (dataset.has("classOrderSeed") || dataset.has("classOrder"));
        return config.withClassOrderFromRunSeed(!fixedOrder);
    }

    /** Reads a config bundled on the class path, e.g. {@code /configs/demo.yaml}. */
    public static RunConfig loadResource(String resource) throws IOException {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("bundled config " + resource + " is missing from the class path");
            }
            return load("classpath:" + resource, in);
        }
    }

    /** The effective configuration as a JSON tree (every default filled in). */
    public static JsonNode effective(RunConfig config) {
        try {
            // Through text, so that it compares equal to the same config read back from a file (number node types).
            return JSON.readTree(JSON.writeValueAsString(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize the run config", e);
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }
}

package io.github.sdlora4j.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.github.sdlora4j.io.CheckpointException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a pretraining records in its checkpoint and in the backbone it writes: the settings, the command line of the
 * first run and of each resume, and the training time over all of them.
 *
 * @param settings the settings
 * @param commands the command lines, oldest first
 * @param seconds  training time so far
 */
record PretrainRecord(PretrainSettings settings, List<String> commands, double seconds) {

    /** Metadata key of the settings as JSON. */
    static final String KEY_SETTINGS = "sdlora.pretrain.settings";
    /** Metadata key of the command lines as a JSON list. */
    static final String KEY_COMMANDS = "sdlora.pretrain.commands";
    /** Metadata key of the training time in seconds. */
    static final String KEY_SECONDS = "sdlora.pretrain.seconds";
    /** Metadata key of the one-line summary: data, budget, optimizer, seed, steps and minutes. */
    static final String KEY_SUMMARY = "sdlora.pretraining";

    /** Copies the list. */
    PretrainRecord {
        commands = List.copyOf(commands);
    }

    /** The record of a run that starts now. */
    static PretrainRecord first(PretrainSettings settings, String commandLine) {
        return new PretrainRecord(settings, List.of(commandLine), 0);
    }

    /** This record continued by another command line. */
    PretrainRecord resumedBy(String commandLine) {
        List<String> c = new ArrayList<>(commands);
        c.add(commandLine);
        return new PretrainRecord(settings, c, seconds);
    }

    /** The metadata entries, with {@code moreSeconds} of training added and {@code steps} steps done. */
    Map<String, String> metadata(int steps, double moreSeconds) {
        double total = seconds + moreSeconds;
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(KEY_SUMMARY, settings.describe() + " steps=" + steps
                + String.format(Locale.ROOT, " minutes=%.1f", total / 60));
        meta.put(KEY_SETTINGS, settings.toJson());
        try {
            meta.put(KEY_COMMANDS, ConfigLoader.JSON.writeValueAsString(commands));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        meta.put(KEY_SECONDS, String.format(Locale.ROOT, "%.1f", total));
        return meta;
    }

    /** Reads the record from a checkpoint's metadata; anything missing or malformed names {@code file}. */
    static PretrainRecord read(Path file, Map<String, String> meta) throws CheckpointException {
        String json = meta.get(KEY_SETTINGS);
        if (json == null) {
            throw new CheckpointException(file, "metadata lacks '" + KEY_SETTINGS + "' (not written by sdlora"
                    + " pretrain?)");
        }
        PretrainSettings settings;
        try {
            settings = PretrainSettings.fromJson(json);
            settings.vit();
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "metadata '" + KEY_SETTINGS + "': " + e.getMessage(), e);
        }
        List<String> commands;
        try {
            commands = ConfigLoader.JSON.readValue(meta.getOrDefault(KEY_COMMANDS, "[]"),
                    new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file, "metadata '" + KEY_COMMANDS + "' is not a JSON list of strings", e);
        }
        double seconds;
        try {
            seconds = Double.parseDouble(meta.getOrDefault(KEY_SECONDS, "0"));
        } catch (NumberFormatException e) {
            seconds = Double.NaN;
        }
        if (!(seconds >= 0) || commands == null || commands.contains(null)) {
            throw new CheckpointException(file, "metadata '" + KEY_SECONDS + "' or '" + KEY_COMMANDS
                    + "' is malformed: " + meta.get(KEY_SECONDS) + ", " + meta.get(KEY_COMMANDS));
        }
        return new PretrainRecord(settings, commands, seconds);
    }
}

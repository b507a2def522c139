package io.github.sdlora4j.io;

import io.github.sdlora4j.learner.MergeableLearner;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads the checkpoint of any learner that predicts through one merged ViT ({@link MergeableLearner}), by the format
 * its metadata names: {@link LearnerCheckpoint} (SD-LoRA and its variants) or {@link InfLoraCheckpoint} (InfLoRA).
 */
public final class MergeableCheckpoints {

    private MergeableCheckpoints() {
    }

    /**
     * The learner in {@code file}, whatever its configuration.
     *
     * @throws SafetensorsFormatException when the file is not valid safetensors
     * @throws CheckpointException        when it holds no learner of these formats, or a malformed one
     */
    public static MergeableLearner load(Path file) throws IOException {
        String format;
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            format = in.metadata().get(LearnerCheckpoint.KEY_FORMAT);
        }
        if (LearnerCheckpoint.FORMAT.equals(format)) {
            return LearnerCheckpoint.load(file);
        }
        if (InfLoraCheckpoint.FORMAT.equals(format)) {
            return InfLoraCheckpoint.load(file, null);
        }
        throw new CheckpointException(file, "not a learner checkpoint that predicts through a merged ViT: metadata "
                + LearnerCheckpoint.KEY_FORMAT + " is " + LearnerCheckpoint.quote(format) + ", expected \""
                + LearnerCheckpoint.FORMAT + "\" (SD-LoRA and its variants) or \"" + InfLoraCheckpoint.FORMAT
                + "\" (InfLoRA)");
    }
}

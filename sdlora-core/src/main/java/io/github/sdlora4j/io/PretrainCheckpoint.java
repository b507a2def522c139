package io.github.sdlora4j.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sdlora4j.learner.BackbonePretrainer;
import io.github.sdlora4j.learner.EpochLoop;
import io.github.sdlora4j.vit.TimmVitLayout;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An unfinished backbone pretraining ({@link BackbonePretrainer.Snapshot}) as one safetensors file:
 *
 * <pre>
 * timm backbone keys                        the ViT as trained so far, F32 (see TimmVitLayout)
 * pretrain.head.weight [C, d], pretrain.head.bias [C]   the temporary head
 * sdlora.optimizer.{variable}.{key}         the optimizer state (Adam moments and step), named as in learner
 *                                           checkpoints
 * __metadata__: sdlora.format ("sdlora4j-pretrain/1"), sdlora.vit_config (the ViT shape as JSON),
 *   sdlora.pretrain.epoch, sdlora.pretrain.batches_done, sdlora.pretrain.step (where training stands: epochs done,
 *   batches of the current epoch done, steps in all), and the caller's own entries (e.g. the run's settings)
 * </pre>
 * Written atomically (temporary file, fsync, rename), so an interrupted save leaves the previous checkpoint whole.
 */
public final class PretrainCheckpoint {

    public static final String FORMAT = "sdlora4j-pretrain/1";
    static final String KEY_EPOCH = "sdlora.pretrain.epoch";
    static final String KEY_BATCHES_DONE = "sdlora.pretrain.batches_done";
    static final String KEY_STEP = "sdlora.pretrain.step";
    private static final Set<String> RESERVED = Set.of(LearnerCheckpoint.KEY_FORMAT, TimmModelExport.META_VIT_CONFIG,
            KEY_EPOCH, KEY_BATCHES_DONE, KEY_STEP);

    private static final ObjectMapper JSON = new ObjectMapper();

    private PretrainCheckpoint() {
    }

    /** A checkpoint's contents: the snapshot and every metadata entry (the caller's among them). */
    public record Contents(BackbonePretrainer.Snapshot snapshot, Map<String, String> metadata) {
    }

    /**
     * Writes {@code snapshot} and the caller's {@code metadata} to {@code file} atomically.
     *
     * @throws IllegalArgumentException if {@code metadata} uses a key this format reserves
     */
    public static void save(BackbonePretrainer.Snapshot snapshot, Map<String, String> metadata, Path file)
            throws IOException {
        for (String key : metadata.keySet()) {
            if (RESERVED.contains(key)) {
                throw new IllegalArgumentException("metadata key '" + key + "' is reserved by " + FORMAT);
            }
        }
        Map<String, INDArray> tensors = new LinkedHashMap<>(snapshot.backbone().tensors());
        tensors.put(BackbonePretrainer.HEAD_WEIGHT, snapshot.headWeight());
        tensors.put(BackbonePretrainer.HEAD_BIAS, snapshot.headBias());
        tensors.putAll(new TreeMap<>(snapshot.optimizerState()));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(LearnerCheckpoint.KEY_FORMAT, FORMAT);
        meta.put(TimmModelExport.META_VIT_CONFIG, JSON.writeValueAsString(snapshot.backbone().config()));
        EpochLoop.Position at = snapshot.position();
        meta.put(KEY_EPOCH, Integer.toString(at.epoch()));
        meta.put(KEY_BATCHES_DONE, Integer.toString(at.batchesDone()));
        meta.put(KEY_STEP, Integer.toString(at.iteration()));
        meta.putAll(metadata);
        SafetensorsWriter.write(file, tensors, meta);
    }

    /**
     * Reads a checkpoint, checking every tensor's presence and shape and that every value is finite.
     *
     * @throws SafetensorsFormatException if the file is not valid safetensors (e.g. truncated)
     * @throws CheckpointException        if it is not a pretraining checkpoint or does not hold what it must
     */
    public static Contents load(Path file) throws IOException {
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            Map<String, String> meta = in.metadata();
            if (!FORMAT.equals(meta.get(LearnerCheckpoint.KEY_FORMAT))) {
                throw new CheckpointException(file, "not a pretraining checkpoint: metadata "
                        + LearnerCheckpoint.KEY_FORMAT + " is " + LearnerCheckpoint.quote(meta.get(
                        LearnerCheckpoint.KEY_FORMAT)) + ", expected \"" + FORMAT + "\"");
            }
            VitConfig vit = vitConfig(file, meta);
            EpochLoop.Position at;
            try {
                at = new EpochLoop.Position(LearnerCheckpoint.parseInt(file, meta, KEY_EPOCH),
                        LearnerCheckpoint.parseInt(file, meta, KEY_BATCHES_DONE),
                        LearnerCheckpoint.parseInt(file, meta, KEY_STEP));
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(file, e.getMessage(), e);
            }
            Set<String> used = new HashSet<>();
            Map<String, INDArray> backbone = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : TimmVitLayout.expectedShapes(vit).entrySet()) {
                backbone.put(e.getKey(), tensor(in, file, e.getKey(), e.getValue(), used));
            }
            if (!in.contains(BackbonePretrainer.HEAD_WEIGHT)) {
                throw new CheckpointException(file, "missing tensor '" + BackbonePretrainer.HEAD_WEIGHT + "'");
            }
            long classes = in.info(BackbonePretrainer.HEAD_WEIGHT).shape()[0];
            INDArray headWeight = tensor(in, file, BackbonePretrainer.HEAD_WEIGHT, new long[]{classes, vit.dim()},
                    used);
            INDArray headBias = tensor(in, file, BackbonePretrainer.HEAD_BIAS, new long[]{classes}, used);
            Map<String, INDArray> optimizer = new LinkedHashMap<>();
            for (String name : in.names()) {
                if (name.startsWith(LearnerCheckpoint.OPTIMIZER_PREFIX)) {
                    optimizer.put(name, tensor(in, file, name, null, used));
                }
            }
            List<String> extra = new ArrayList<>(in.names());
            extra.removeAll(used);
            if (!extra.isEmpty()) {
                throw new CheckpointException(file, "unexpected tensors " + extra.subList(0, Math.min(extra.size(), 8)));
            }
            try {
                VitWeights weights = VitWeights.of(vit, backbone, file.toString());
                return new Contents(new BackbonePretrainer.Snapshot(weights, headWeight, headBias, optimizer, at),
                        meta);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(file, e.getMessage(), e);
            }
        }
    }

    private static VitConfig vitConfig(Path file, Map<String, String> meta) throws CheckpointException {
        String json = LearnerCheckpoint.require(file, meta, TimmModelExport.META_VIT_CONFIG);
        try {
            return JSON.readValue(json, VitConfig.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new CheckpointException(file, "metadata '" + TimmModelExport.META_VIT_CONFIG
                    + "' is not a valid ViT shape: " + e.getMessage(), e);
        }
    }

    /** Reads a tensor after checking its shape (when given); a NaN or infinite value means a damaged file. */
    private static INDArray tensor(SafetensorsFile in, Path file, String name, long[] shape, Set<String> used)
            throws IOException {
        if (!in.contains(name)) {
            throw new CheckpointException(file, "missing tensor '" + name + "' " + Arrays.toString(shape));
        }
        long[] actual = in.info(name).shape();
        if (shape != null && !Arrays.equals(shape, actual)) {
            throw new CheckpointException(file, "tensor '" + name + "' has shape " + Arrays.toString(actual)
                    + ", expected " + Arrays.toString(shape));
        }
        used.add(name);
        INDArray value = in.read(name);
        if (value.length() > 0 && !Double.isFinite(value.sumNumber().doubleValue())) {
            throw new CheckpointException(file, "tensor '" + name + "' holds NaN or infinite values (a damaged file?)");
        }
        return value;
    }
}

package io.github.sdlora4j.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.vit.TimmVitLayout;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Loads a timm Vision Transformer {@code state_dict} saved as safetensors (the format the hub serves, e.g.
 * {@code vit_base_patch16_224.augreg2_in21k_ft_in1k/model.safetensors}) into {@link VitWeights}.
 *
 * <p>Every expected key, shape and dtype is checked from the header alone before any tensor data is read; a
 * mismatch is reported as one {@link CheckpointException} listing every missing, unexpected and mis-shaped tensor.
 * {@code head.weight}/{@code head.bias} are allowed (and checked to be a consistent head) but not part of the
 * backbone. Data is read tensor by tensor from the memory-mapped file into FLOAT arrays, so the only full copy held
 * is the resulting backbone. F32, F16, BF16 and F64 tensors are accepted.
 */
public final class TimmBackboneImporter {

    /** Stored types a backbone tensor may have; they are converted to FLOAT on reading. */
    static final Set<SafetensorsDtype> FLOAT_TYPES =
            EnumSet.of(SafetensorsDtype.F32, SafetensorsDtype.F16, SafetensorsDtype.BF16, SafetensorsDtype.F64);

    /** Head width assumed when inferring the number of heads, as in every standard timm ViT (Ti, S, B, L). */
    public static final int DEFAULT_HEAD_DIM = 64;

    private static final int MAX_LISTED_PROBLEMS = 12;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TimmBackboneImporter() {
    }

    /**
     * Loads the backbone of {@code config} from a timm safetensors file.
     *
     * @param file   a safetensors file with timm ViT keys
     * @param config the expected ViT shape
     * @return the backbone as FLOAT arrays
     * @throws SafetensorsFormatException if the file is not valid safetensors
     * @throws CheckpointException        if its tensors do not match {@code config} (all problems are listed)
     * @throws IOException                if the file cannot be read
     */
    public static VitWeights load(Path file, VitConfig config) throws IOException {
        requireNonNull(file, config);
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            checkHeader(in, config);
            Map<String, INDArray> tensors = new LinkedHashMap<>();
            for (String name : TimmVitLayout.expectedShapes(config).keySet()) {
                tensors.put(name, in.read(name));
            }
            return VitWeights.of(config, tensors, file.toString());
        }
    }

    /**
     * The ViT shape a file records in its metadata ({@value TimmModelExport#META_VIT_CONFIG}, as this library's
     * exports and the bundled backbones do); a plain timm export records none.
     *
     * @param file a safetensors file
     * @return the recorded configuration, or empty if the file records none
     * @throws CheckpointException if the recorded value is not a ViT configuration
     * @throws IOException         if the file cannot be read or is not valid safetensors
     */
    public static Optional<VitConfig> recordedConfig(Path file) throws IOException {
        String stored;
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            stored = in.metadata().get(TimmModelExport.META_VIT_CONFIG);
        }
        if (stored == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(stored, VitConfig.class));
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file, "metadata " + TimmModelExport.META_VIT_CONFIG
                    + " is not a ViT configuration: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Loads the classification head ({@code head.weight} [C, d], {@code head.bias} [C]) if the file has one.
     *
     * @param file a safetensors file with timm ViT keys
     * @param dim  the backbone width the head must take as input
     * @return the head as FLOAT arrays, or empty if the file has no {@code head.*} tensors
     * @throws CheckpointException if the head is incomplete or mis-shaped
     * @throws IOException         if the file cannot be read or is not valid safetensors
     */
    public static Optional<ClassifierHead> loadHead(Path file, int dim) throws IOException {
        requireNonNull(file, dim);
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            List<String> problems = new ArrayList<>();
            checkHead(in, dim, problems);
            fail(file, "classification head", problems);
            if (!in.contains(ClassifierHead.WEIGHT)) {
                return Optional.empty();
            }
            return Optional.of(new ClassifierHead(in.read(ClassifierHead.WEIGHT), in.read(ClassifierHead.BIAS)));
        }
    }

    /**
     * Infers the ViT shape from the header alone, assuming {@value #DEFAULT_HEAD_DIM}-wide attention heads
     * ({@code heads = dim / 64}); the number of heads cannot be seen in the tensor shapes (qkv is fused).
     *
     * @param file a safetensors file with timm ViT keys
     * @return the inferred configuration (LayerNorm epsilon: timm's 1e-6)
     * @throws CheckpointException if the header does not describe a timm ViT, or dim is not a multiple of 64
     * @throws IOException         if the file cannot be read or is not valid safetensors
     */
    public static VitConfig inferConfig(Path file) throws IOException {
        return infer(file, 0);
    }

    /**
     * Infers the ViT shape from the header alone, with the given number of attention heads.
     *
     * @param file  a safetensors file with timm ViT keys
     * @param heads attention heads (not visible in the shapes); must divide the inferred width
     * @return the inferred configuration (LayerNorm epsilon: timm's 1e-6)
     * @throws CheckpointException if the header does not describe a timm ViT, or {@code heads} does not divide dim
     * @throws IOException         if the file cannot be read or is not valid safetensors
     */
    public static VitConfig inferConfig(Path file, int heads) throws IOException {
        if (heads < 1) {
            throw new IllegalArgumentException("heads must be positive, got " + heads);
        }
        return infer(file, heads);
    }

    private static VitConfig infer(Path file, int heads) throws IOException {
        requireNonNull(file, heads);
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            long[] cls = shapeOf(in, TimmVitLayout.CLS_TOKEN, 3);
            long[] patch = shapeOf(in, TimmVitLayout.PATCH_WEIGHT, 4);
            long[] pos = shapeOf(in, TimmVitLayout.POS_EMBED, 3);
            long[] fc1 = shapeOf(in, TimmVitLayout.block(0, "mlp.fc1.weight"), 2);
            int dim = Math.toIntExact(cls[2]);
            if (patch[2] != patch[3]) {
                throw new CheckpointException(file, TimmVitLayout.PATCH_WEIGHT + " has shape " + Arrays.toString(patch)
                        + ": only square patches are supported");
            }
            int patchSize = Math.toIntExact(patch[2]);
            int grid = squareGrid(pos[1] - 1);
            if (grid < 0) {
                throw new CheckpointException(file, TimmVitLayout.POS_EMBED + " has shape " + Arrays.toString(pos)
                        + ": expected 1 CLS token plus a square grid of patch tokens");
            }
            int depth = 0;
            while (in.contains(TimmVitLayout.block(depth, "norm1.weight"))) {
                depth++;
            }
            int h = heads;
            if (h == 0) {
                if (dim % DEFAULT_HEAD_DIM != 0) {
                    throw new CheckpointException(file, "width " + dim + " is not a multiple of "
                            + DEFAULT_HEAD_DIM + ", so the number of attention heads cannot be assumed; pass it");
                }
                h = dim / DEFAULT_HEAD_DIM;
            }
            VitConfig config;
            try {
                config = new VitConfig(grid * patchSize, patchSize, Math.toIntExact(patch[1]), dim, depth, h,
                        Math.toIntExact(fc1[0]), VitConfig.TIMM_LAYER_NORM_EPS);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(file, "inferred an invalid ViT shape: " + e.getMessage(), e);
            }
            checkHeader(in, config);
            return config;
        }
    }

    /**
     * Checks the header of an open file against {@code config}: every backbone key present with its shape and a
     * floating point dtype, nothing unexpected, and a consistent head if there is one.
     *
     * @throws CheckpointException listing every problem
     */
    static void checkHeader(SafetensorsFile in, VitConfig config) throws CheckpointException {
        Map<String, long[]> expected = TimmVitLayout.expectedShapes(config);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            String name = e.getKey();
            if (!in.contains(name)) {
                problems.add("missing '" + name + "' " + Arrays.toString(e.getValue()));
                continue;
            }
            TensorInfo info = in.info(name);
            if (!Arrays.equals(info.shape(), e.getValue())) {
                problems.add(name.equals(TimmVitLayout.POS_EMBED) ? posEmbedProblem(info.shape(), config)
                        : "'" + name + "' has shape " + Arrays.toString(info.shape()) + ", expected "
                        + Arrays.toString(e.getValue()));
            }
            checkFloat(info, problems);
        }
        for (String name : in.names()) {
            if (!expected.containsKey(name) && !name.startsWith(TimmVitLayout.HEAD_PREFIX)) {
                problems.add("unexpected '" + name + "' " + Arrays.toString(in.info(name).shape()));
            }
        }
        checkHead(in, config.dim(), problems);
        fail(in.path(), "timm ViT backbone " + config, problems);
    }

    private static void checkHead(SafetensorsFile in, int dim, List<String> problems) {
        boolean hasWeight = in.contains(ClassifierHead.WEIGHT);
        boolean hasBias = in.contains(ClassifierHead.BIAS);
        for (String name : in.names()) {
            if (name.startsWith(TimmVitLayout.HEAD_PREFIX) && !name.equals(ClassifierHead.WEIGHT)
                    && !name.equals(ClassifierHead.BIAS)) {
                problems.add("unexpected head tensor '" + name + "' (a head is head.weight [C, " + dim
                        + "] and head.bias [C])");
            }
        }
        if (hasWeight != hasBias) {
            problems.add("incomplete head: " + (hasWeight ? ClassifierHead.BIAS : ClassifierHead.WEIGHT)
                    + " is missing");
            return;
        }
        if (!hasWeight) {
            return;
        }
        long[] w = in.info(ClassifierHead.WEIGHT).shape();
        long[] b = in.info(ClassifierHead.BIAS).shape();
        if (w.length != 2 || w[1] != dim || b.length != 1 || b[0] != w[0]) {
            problems.add("head is weight " + Arrays.toString(w) + " and bias " + Arrays.toString(b)
                    + ", expected [C, " + dim + "] and [C]");
        }
        checkFloat(in.info(ClassifierHead.WEIGHT), problems);
        checkFloat(in.info(ClassifierHead.BIAS), problems);
    }

    private static void checkFloat(TensorInfo info, List<String> problems) {
        Optional<SafetensorsDtype> dtype = SafetensorsDtype.fromName(info.dtype());
        if (dtype.isEmpty() || !FLOAT_TYPES.contains(dtype.get())) {
            problems.add("'" + info.name() + "' has dtype " + info.dtype() + ", expected one of " + FLOAT_TYPES);
        }
    }

    /** Explains a pos_embed of another length in terms of the image size it implies. */
    private static String posEmbedProblem(long[] shape, VitConfig config) {
        String expected = "expected " + Arrays.toString(TimmVitLayout.expectedShapes(config).get(TimmVitLayout.POS_EMBED));
        if (shape.length != 3 || shape[0] != 1 || shape[2] != config.dim()) {
            return "'" + TimmVitLayout.POS_EMBED + "' has shape " + Arrays.toString(shape) + ", " + expected;
        }
        int grid = squareGrid(shape[1] - 1);
        String implied = grid < 0 ? "which is not 1 CLS token plus a square grid of patches"
                : "which implies " + grid + "x" + grid + " patches, i.e. image size " + (grid * config.patchSize())
                + " with patch " + config.patchSize();
        return "'" + TimmVitLayout.POS_EMBED + "' has " + shape[1] + " tokens, " + implied + "; the config expects "
                + "image size " + config.imageSize() + " (" + config.numTokens() + " tokens). Use that image size "
                + "(position embeddings are not resampled)";
    }

    /** The side of a square grid of {@code n} cells, or -1 if {@code n} is not a positive square. */
    private static int squareGrid(long n) {
        if (n < 1) {
            return -1;
        }
        long side = Math.round(Math.sqrt((double) n));
        return side * side == n ? Math.toIntExact(side) : -1;
    }

    private static long[] shapeOf(SafetensorsFile in, String name, int rank) throws CheckpointException {
        if (!in.contains(name)) {
            throw new CheckpointException(in.path(), "not a timm ViT: tensor '" + name + "' is missing");
        }
        long[] shape = in.info(name).shape();
        if (shape.length != rank) {
            throw new CheckpointException(in.path(), "not a timm ViT: tensor '" + name + "' has shape "
                    + Arrays.toString(shape) + ", expected rank " + rank);
        }
        return shape;
    }

    private static void fail(Path file, String what, List<String> problems) throws CheckpointException {
        if (problems.isEmpty()) {
            return;
        }
        int shown = Math.min(problems.size(), MAX_LISTED_PROBLEMS);
        throw new CheckpointException(file, "does not hold a " + what + ": " + String.join("; ",
                problems.subList(0, shown)) + (problems.size() > shown ? "; and " + (problems.size() - shown)
                + " more" : ""));
    }

    private static void requireNonNull(Path file, Object other) {
        if (file == null || other == null) {
            throw new IllegalArgumentException("file and configuration are required");
        }
    }
}

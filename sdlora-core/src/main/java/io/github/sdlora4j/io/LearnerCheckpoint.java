package io.github.sdlora4j.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.learner.SdLoraConfig;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.lora.DirectionNorm;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.SdLoraAdapterGraph;
import io.github.sdlora4j.lora.SdLoraAlgebra;
import io.github.sdlora4j.lora.SdLoraState;
import io.github.sdlora4j.lora.TaskAdapter;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.TimmVitLayout;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The whole SD-LoRA learner as ONE safetensors file, readable by anyone who knows this layout:
 *
 * <pre>
 * timm backbone keys              the frozen ViT (see TimmVitLayout)
 * sdlora.blocks.{l}.attn.{q|v}.task{t}.A   [r_t, d]  F32
 * sdlora.blocks.{l}.attn.{q|v}.task{t}.B   [d, r_t]  F32   (zero when KD merged the direction away)
 * sdlora.magnitude                          [T]       F64   one α per task, shared by all blocks and q/v
 * sdlora.blocks.{l}.attn.{q|v}.assimilated  [T]       F64   KD's extra magnitude per task for this projection
 * head.weight [C, d] F32, head.bias [C] F32
 * sdlora.optimizer.{variable}.{key}         only while a task is unfinished: its optimizer state (momentum, Adam
 *                                           moments and step), so training resumes exactly
 * __metadata__: sdlora.config (the SdLoraConfig as JSON), sdlora.normalization ("factor_product": ||B||·||A||,
 *   or "product": ||BA||), sdlora.current_task (the task whose term is unnormalized, -1 if none),
 *   sdlora.known_classes, sdlora.task_classes (JSON list), sdlora.in_task (whether the last task is unfinished),
 *   sdlora.format ("sdlora4j-learner/1"); when the run knew them, sdlora.class_names, sdlora.class_order and
 *   sdlora.preprocessing (see {@link ClassifierMetadata}; files without them load all the same)
 * </pre>
 * The q/v update of block l is {@code Σ_{t≠c} (α_t + β_{l,p,t})·B_tA_t/n_t + α_c·B_cA_c}, c = current task,
 * finished terms with n_t = 0 skipped. Files are written atomically (temp file, fsync, rename).
 */
public final class LearnerCheckpoint {

    public static final String FORMAT = "sdlora4j-learner/1";
    static final String KEY_FORMAT = "sdlora.format";
    static final String KEY_CONFIG = "sdlora.config";
    static final String KEY_NORMALIZATION = "sdlora.normalization";
    static final String KEY_CURRENT_TASK = "sdlora.current_task";
    static final String KEY_KNOWN_CLASSES = "sdlora.known_classes";
    static final String KEY_TASK_CLASSES = "sdlora.task_classes";
    static final String KEY_IN_TASK = "sdlora.in_task";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Optimizer state of an unfinished task: {@code sdlora.optimizer.<variable>.<key>}. */
    static final String OPTIMIZER_PREFIX = "sdlora.optimizer.";

    private LearnerCheckpoint() {
    }

    /** {@code sdlora.blocks.{l}.attn.{p}.assimilated}. */
    public static String assimilatedName(int block, Projection p) {
        return "sdlora.blocks." + block + ".attn." + p.key() + ".assimilated";
    }

    /** Writes {@code learner} to {@code file} atomically, without class names. */
    public static void save(SdLoraLearner learner, Path file) throws IOException {
        save(learner, file, null);
    }

    /**
     * Writes {@code learner} to {@code file} atomically.
     *
     * @param classes class names, order and preprocessing of the benchmark (the first {@code learner.numClasses()}
     *                are written), or null
     */
    public static void save(SdLoraLearner learner, Path file, ClassifierMetadata classes) throws IOException {
        SdLoraState state = learner.state();
        int numTasks = state.numTasks();
        Map<String, INDArray> tensors = new LinkedHashMap<>(learner.backbone().tensors());
        for (int t = 0; t < numTasks; t++) {
            for (int l = 0; l < state.depth(); l++) {
                for (Projection p : Projection.values()) {
                    LoraFactors f = state.task(t).get(l, p);
                    tensors.put(SdLoraAlgebra.factorName(l, p, t, "A"), f.a().castTo(DataType.FLOAT));
                    tensors.put(SdLoraAlgebra.factorName(l, p, t, "B"), f.b().castTo(DataType.FLOAT));
                }
            }
        }
        tensors.put(SdLoraAlgebra.MAGNITUDE, Nd4j.create(state.magnitudes(), new long[]{numTasks}, 'c'));
        for (int l = 0; l < state.depth(); l++) {
            for (Projection p : Projection.values()) {
                double[] beta = new double[numTasks];
                for (int t = 0; t < numTasks; t++) {
                    beta[t] = state.assimilated(l, p, t);
                }
                tensors.put(assimilatedName(l, p), Nd4j.create(beta, new long[]{numTasks}, 'c'));
            }
        }
        tensors.put(ClassifierHead.WEIGHT, learner.head().weight().castTo(DataType.FLOAT));
        tensors.put(ClassifierHead.BIAS, learner.head().bias().castTo(DataType.FLOAT));
        tensors.putAll(learner.optimizerState());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(KEY_FORMAT, FORMAT);
        meta.put(KEY_CONFIG, JSON.writeValueAsString(learner.config()));
        meta.put(KEY_NORMALIZATION, learner.config().mode().norm().metadataName());
        meta.put(KEY_CURRENT_TASK, Integer.toString(state.currentTask()));
        meta.put(KEY_KNOWN_CLASSES, Integer.toString(learner.numClasses()));
        meta.put(KEY_TASK_CLASSES, JSON.writeValueAsString(learner.taskClasses()));
        meta.put(KEY_IN_TASK, Boolean.toString(learner.inTask()));
        if (classes != null) {
            meta.putAll(classes.firstClasses(learner.numClasses()).toMetadata(ClassifierMetadata.CHECKPOINT_PREFIX));
        }
        SafetensorsWriter.write(file, tensors, meta);
    }

    /** Loads a learner, whatever its configuration. */
    public static SdLoraLearner load(Path file) throws IOException {
        return load(file, null);
    }

    /**
     * Loads a learner and checks that it was made with {@code expected} (null: accept any).
     *
     * @throws SafetensorsFormatException when the file is not valid safetensors
     * @throws CheckpointException        when it is not an SD-LoRA learner of the expected configuration
     */
    public static SdLoraLearner load(Path file, SdLoraConfig expected) throws IOException {
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            return read(in, file, expected);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CheckpointException(file, e.getMessage(), e);
        }
    }

    /**
     * The class names, order and preprocessing a checkpoint records; empty for a file written without them.
     *
     * @throws CheckpointException when they are present but malformed or do not match the head's classes
     */
    public static Optional<ClassifierMetadata> readClassifierMetadata(Path file) throws IOException {
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            Map<String, String> meta = in.metadata();
            Optional<ClassifierMetadata> classes = ClassifierMetadata.fromMetadata(meta,
                    ClassifierMetadata.CHECKPOINT_PREFIX);
            int known = parseInt(file, meta, KEY_KNOWN_CLASSES);
            if (classes.isPresent() && classes.get().classNames().size() != known) {
                throw new CheckpointException(file, "metadata lists " + classes.get().classNames().size()
                        + " class names but the learner has " + known + " classes");
            }
            return classes;
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, e.getMessage(), e);
        }
    }

    private static SdLoraLearner read(SafetensorsFile in, Path file, SdLoraConfig expected) throws IOException {
        {
            Map<String, String> meta = in.metadata();
            if (!FORMAT.equals(meta.get(KEY_FORMAT))) {
                throw new CheckpointException(file, "not an sdlora4j learner checkpoint: metadata " + KEY_FORMAT
                        + " is " + quote(meta.get(KEY_FORMAT)) + ", expected \"" + FORMAT + "\"");
            }
            SdLoraConfig config = parse(file, meta, KEY_CONFIG, SdLoraConfig.class);
            if (expected != null && !expected.equals(config)) {
                throw new CheckpointException(file, "was made with another configuration: " + differences(expected, config));
            }
            DirectionNorm norm = DirectionNorm.fromMetadataName(require(file, meta, KEY_NORMALIZATION));
            if (norm != config.mode().norm()) {
                throw new CheckpointException(file, KEY_NORMALIZATION + " is " + norm.metadataName() + " but mode "
                        + config.mode() + " uses " + config.mode().norm().metadataName());
            }
            List<Integer> taskClasses = parse(file, meta, KEY_TASK_CLASSES, new TypeReference<List<Integer>>() { });
            int currentTask = parseInt(file, meta, KEY_CURRENT_TASK);
            int knownClasses = parseInt(file, meta, KEY_KNOWN_CLASSES);
            boolean inTask = Boolean.parseBoolean(require(file, meta, KEY_IN_TASK));
            int numTasks = taskClasses.size();
            if (taskClasses.stream().anyMatch(n -> n == null || n < 1)
                    || knownClasses != taskClasses.stream().mapToInt(Integer::intValue).sum()
                    || currentTask != numTasks - 1 || (inTask && numTasks == 0)) {
                throw new CheckpointException(file, "inconsistent task metadata: task_classes " + taskClasses
                        + ", known_classes " + knownClasses + ", current_task " + currentTask + ", in_task " + inTask);
            }
            Set<String> used = new HashSet<>();
            Map<String, INDArray> backboneTensors = new LinkedHashMap<>();
            for (String name : TimmVitLayout.expectedShapes(config.vit()).keySet()) {
                backboneTensors.put(name, tensor(in, file, name, used, null));
            }
            VitWeights backbone;
            try {
                backbone = VitWeights.of(config.vit(), backboneTensors, file.toString());
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(file, e.getMessage(), e);
            }
            int depth = config.vit().depth();
            int dim = config.vit().dim();
            SdLoraState state = new SdLoraState(depth);
            for (int t = 0; t < numTasks; t++) {
                int rank = config.ranks().rankFor(t);
                LoraFactors[][] f = new LoraFactors[depth][Projection.values().length];
                for (int l = 0; l < depth; l++) {
                    for (Projection p : Projection.values()) {
                        f[l][p.ordinal()] = new LoraFactors(
                                tensor(in, file, SdLoraAlgebra.factorName(l, p, t, "A"), used, new long[]{rank, dim}),
                                tensor(in, file, SdLoraAlgebra.factorName(l, p, t, "B"), used, new long[]{dim, rank}));
                    }
                }
                state.addTask(TaskAdapter.of(rank, f));
            }
            state.setCurrentTask(currentTask);
            state.setMagnitudes(doubles(tensor(in, file, SdLoraAlgebra.MAGNITUDE, used, new long[]{numTasks})));
            for (int l = 0; l < depth; l++) {
                for (Projection p : Projection.values()) {
                    double[] beta = doubles(tensor(in, file, assimilatedName(l, p), used, new long[]{numTasks}));
                    for (int t = 0; t < numTasks; t++) {
                        state.setAssimilated(l, p, t, beta[t]);
                    }
                }
            }
            ClassifierHead head = head(in, file, used, knownClasses, dim);
            Map<String, INDArray> optimizer = optimizerState(in, file, used, inTask);
            requireAllUsed(in, file, used);
            return SdLoraLearner.restore(config, backbone, state, head, taskClasses, inTask, optimizer);
        }
    }

    /** The head's weight [known, dim] and bias [known]. */
    static ClassifierHead head(SafetensorsFile in, Path file, Set<String> used, int known, int dim) throws IOException {
        return new ClassifierHead(tensor(in, file, ClassifierHead.WEIGHT, used, new long[]{known, dim}),
                tensor(in, file, ClassifierHead.BIAS, used, new long[]{known}));
    }

    /** The {@value #OPTIMIZER_PREFIX} tensors, which only a checkpoint inside a task may hold. */
    static Map<String, INDArray> optimizerState(SafetensorsFile in, Path file, Set<String> used, boolean inTask)
            throws IOException {
        Map<String, INDArray> optimizer = new LinkedHashMap<>();
        for (String name : in.names()) {
            if (name.startsWith(OPTIMIZER_PREFIX)) {
                optimizer.put(name, in.read(name));
                used.add(name);
            }
        }
        if (!optimizer.isEmpty() && !inTask) {
            throw new CheckpointException(file, "holds optimizer state but no unfinished task");
        }
        return optimizer;
    }

    /** Fails on tensors the reader did not take, naming a few. */
    static void requireAllUsed(SafetensorsFile in, Path file, Set<String> used) throws CheckpointException {
        List<String> extra = new ArrayList<>(in.names());
        extra.removeAll(used);
        if (!extra.isEmpty()) {
            throw new CheckpointException(file, "unexpected tensors: " + extra.subList(0, Math.min(extra.size(), 8)));
        }
    }

    static INDArray tensor(SafetensorsFile in, Path file, String name, Set<String> used, long[] shape)
            throws IOException {
        if (!in.contains(name)) {
            throw new CheckpointException(file, "missing tensor '" + name + "'"
                    + (shape == null ? "" : " " + Arrays.toString(shape)));
        }
        long[] actual = in.info(name).shape();
        if (shape != null && !Arrays.equals(shape, actual)) {
            throw new CheckpointException(file, "tensor '" + name + "' has shape " + Arrays.toString(actual)
                    + ", expected " + Arrays.toString(shape) + " for this configuration");
        }
        used.add(name);
        return name.equals(SdLoraAlgebra.MAGNITUDE) || name.endsWith(".assimilated")
                ? in.read(name, DataType.DOUBLE) : in.read(name);
    }

    private static double[] doubles(INDArray a) {
        return a.castTo(DataType.DOUBLE).toDoubleVector();
    }

    static String require(Path file, Map<String, String> meta, String key) throws CheckpointException {
        String v = meta.get(key);
        if (v == null) {
            throw new CheckpointException(file, "metadata lacks '" + key + "'");
        }
        return v;
    }

    static int parseInt(Path file, Map<String, String> meta, String key) throws CheckpointException {
        String v = require(file, meta, key);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new CheckpointException(file, "metadata '" + key + "' must be an integer, got " + quote(v));
        }
    }

    private static <T> T parse(Path file, Map<String, String> meta, String key, Class<T> type) throws CheckpointException {
        try {
            return JSON.readValue(require(file, meta, key), type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new CheckpointException(file, "metadata '" + key + "' is not a valid " + type.getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    static <T> T parse(Path file, Map<String, String> meta, String key, TypeReference<T> type)
            throws CheckpointException {
        try {
            return JSON.readValue(require(file, meta, key), type);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file, "metadata '" + key + "' is not valid: " + e.getMessage(), e);
        }
    }

    /** Names each top-level setting that differs, e.g. "ranks: expected ..., file has ...". */
    static String differences(SdLoraConfig expected, SdLoraConfig actual) {
        Map<String, Object> e = JSON.convertValue(expected, new TypeReference<LinkedHashMap<String, Object>>() { });
        Map<String, Object> a = JSON.convertValue(actual, new TypeReference<LinkedHashMap<String, Object>>() { });
        List<String> diffs = new ArrayList<>();
        for (String k : e.keySet()) {
            if (!Objects.equals(e.get(k), a.get(k))) {
                diffs.add(k + ": expected " + e.get(k) + ", file has " + a.get(k));
            }
        }
        return String.join("; ", diffs);
    }

    static String quote(String s) {
        return s == null ? "absent" : "\"" + s + "\"";
    }
}

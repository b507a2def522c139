package io.github.sdlora4j.io;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sdlora4j.inflora.SubspaceMemory;
import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.learner.InfLoraConfig;
import io.github.sdlora4j.learner.InfLoraLearner;
import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.SdLoraAlgebra;
import io.github.sdlora4j.lora.TaskAdapter;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.TimmVitLayout;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An {@link InfLoraLearner} as one safetensors file:
 *
 * <pre>
 * timm backbone keys                        the ViT with every finished task's B·A merged into q and v
 * inflora.memory.blocks.{l}                 [d, k] F64   block l's memory basis (absent for k = 0); of M, or of its
 *                                                        complement when inflora.memory_complement says so
 * sdlora.blocks.{l}.attn.{q|v}.task0.{A|B}  only while a task is unfinished: its designed A [r, d], trained B [d, r]
 * head.weight [C, d] F32, head.bias [C] F32
 * sdlora.optimizer.{variable}.{key}         only while a task is unfinished: its optimizer state
 * __metadata__: sdlora.format ("sdlora4j-inflora/1"), inflora.config (the InfLoraConfig as JSON),
 *   inflora.memory_complement (JSON list, per block), sdlora.known_classes, sdlora.task_classes, sdlora.in_task and,
 *   when the run knew them, the class names, order and preprocessing (see {@link ClassifierMetadata})
 * </pre>
 * Files are written atomically.
 */
public final class InfLoraCheckpoint {

    public static final String FORMAT = "sdlora4j-inflora/1";
    static final String KEY_CONFIG = "inflora.config";
    static final String KEY_MEMORY_COMPLEMENT = "inflora.memory_complement";
    private static final ObjectMapper JSON = new ObjectMapper();

    private InfLoraCheckpoint() {
    }

    /** {@code inflora.memory.blocks.{l}}. */
    public static String memoryName(int block) {
        return "inflora.memory.blocks." + block;
    }

    /**
     * Writes {@code learner} to {@code file} atomically.
     *
     * @param classes class names, order and preprocessing of the benchmark, or null
     */
    public static void save(InfLoraLearner learner, Path file, ClassifierMetadata classes) throws IOException {
        InfLoraConfig config = learner.config();
        int depth = config.vit().depth();
        Map<String, INDArray> tensors = new LinkedHashMap<>(learner.mergedBackbone().tensors());
        List<Boolean> complement = new ArrayList<>();
        for (int l = 0; l < depth; l++) {
            SubspaceMemory m = learner.memory(l);
            complement.add(m.storesComplement());
            INDArray basis = m.storedBasis();
            if (basis != null) {
                tensors.put(memoryName(l), basis);
            }
        }
        TaskAdapter unfinished = learner.unfinishedAdapter();
        if (unfinished != null) {
            for (int l = 0; l < depth; l++) {
                for (Projection p : Projection.values()) {
                    LoraFactors f = unfinished.get(l, p);
                    tensors.put(SdLoraAlgebra.factorName(l, p, 0, "A"), f.a().castTo(DataType.FLOAT));
                    tensors.put(SdLoraAlgebra.factorName(l, p, 0, "B"), f.b().castTo(DataType.FLOAT));
                }
            }
        }
        tensors.put(ClassifierHead.WEIGHT, learner.head().weight().castTo(DataType.FLOAT));
        tensors.put(ClassifierHead.BIAS, learner.head().bias().castTo(DataType.FLOAT));
        tensors.putAll(learner.optimizerState());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(LearnerCheckpoint.KEY_FORMAT, FORMAT);
        meta.put(KEY_CONFIG, JSON.writeValueAsString(config));
        meta.put(KEY_MEMORY_COMPLEMENT, JSON.writeValueAsString(complement));
        meta.put(LearnerCheckpoint.KEY_KNOWN_CLASSES, Integer.toString(learner.numClasses()));
        meta.put(LearnerCheckpoint.KEY_TASK_CLASSES, JSON.writeValueAsString(learner.taskClasses()));
        meta.put(LearnerCheckpoint.KEY_IN_TASK, Boolean.toString(learner.inTask()));
        if (classes != null) {
            meta.putAll(classes.firstClasses(learner.numClasses()).toMetadata(ClassifierMetadata.CHECKPOINT_PREFIX));
        }
        SafetensorsWriter.write(file, tensors, meta);
    }

    /**
     * Loads a learner and checks that it was made with {@code expected} (null: accept any).
     *
     * @throws SafetensorsFormatException when the file is not valid safetensors
     * @throws CheckpointException        when it is not an InfLoRA learner of the expected configuration
     */
    public static InfLoraLearner load(Path file, InfLoraConfig expected) throws IOException {
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            return read(in, file, expected);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CheckpointException(file, e.getMessage(), e);
        }
    }

    private static InfLoraLearner read(SafetensorsFile in, Path file, InfLoraConfig expected) throws IOException {
        Map<String, String> meta = in.metadata();
        if (!FORMAT.equals(meta.get(LearnerCheckpoint.KEY_FORMAT))) {
            throw new CheckpointException(file, "not an InfLoRA learner checkpoint: metadata "
                    + LearnerCheckpoint.KEY_FORMAT + " is " + LearnerCheckpoint.quote(meta.get(LearnerCheckpoint.KEY_FORMAT))
                    + ", expected \"" + FORMAT + "\"");
        }
        InfLoraConfig config = LearnerCheckpoint.parse(file, meta, KEY_CONFIG, new TypeReference<>() { });
        if (expected != null && !expected.equals(config)) {
            throw new CheckpointException(file, "was made with another InfLoRA configuration: expected " + expected
                    + ", file has " + config);
        }
        List<Integer> taskClasses = LearnerCheckpoint.parse(file, meta, LearnerCheckpoint.KEY_TASK_CLASSES, new TypeReference<>() { });
        int known = LearnerCheckpoint.parseInt(file, meta, LearnerCheckpoint.KEY_KNOWN_CLASSES);
        boolean inTask = Boolean.parseBoolean(LearnerCheckpoint.require(file, meta, LearnerCheckpoint.KEY_IN_TASK));
        List<Boolean> complement = LearnerCheckpoint.parse(file, meta, KEY_MEMORY_COMPLEMENT, new TypeReference<>() { });
        int depth = config.vit().depth();
        int dim = config.vit().dim();
        if (taskClasses.stream().anyMatch(n -> n == null || n < 1)
                || known != taskClasses.stream().mapToInt(Integer::intValue).sum() || (inTask && taskClasses.isEmpty())
                || complement.size() != depth) {
            throw new CheckpointException(file, "inconsistent metadata: task_classes " + taskClasses + ", known_classes "
                    + known + ", in_task " + inTask + ", memory_complement " + complement + " for " + depth + " blocks");
        }
        Set<String> used = new HashSet<>();
        Map<String, INDArray> backbone = new LinkedHashMap<>();
        for (String name : TimmVitLayout.expectedShapes(config.vit()).keySet()) {
            backbone.put(name, LearnerCheckpoint.tensor(in, file, name, used, null));
        }
        List<SubspaceMemory> memory = new ArrayList<>();
        for (int l = 0; l < depth; l++) {
            INDArray basis = null;
            if (in.contains(memoryName(l))) {
                basis = in.read(memoryName(l), DataType.DOUBLE);
                used.add(memoryName(l));
            }
            memory.add(SubspaceMemory.of(dim, basis, complement.get(l)));
        }
        TaskAdapter unfinished = null;
        if (inTask) {
            int r = config.rank();
            LoraFactors[][] f = new LoraFactors[depth][Projection.values().length];
            for (int l = 0; l < depth; l++) {
                for (Projection p : Projection.values()) {
                    f[l][p.ordinal()] = new LoraFactors(
                            LearnerCheckpoint.tensor(in, file, SdLoraAlgebra.factorName(l, p, 0, "A"), used,
                                    new long[]{r, dim}),
                            LearnerCheckpoint.tensor(in, file, SdLoraAlgebra.factorName(l, p, 0, "B"), used,
                                    new long[]{dim, r}));
                }
            }
            unfinished = TaskAdapter.of(r, f);
        }
        ClassifierHead head = LearnerCheckpoint.head(in, file, used, known, dim);
        Map<String, INDArray> optimizer = LearnerCheckpoint.optimizerState(in, file, used, inTask);
        LearnerCheckpoint.requireAllUsed(in, file, used);
        return InfLoraLearner.restore(config, VitWeights.of(config.vit(), backbone, file.toString()), memory, head,
                taskClasses, unfinished, optimizer);
    }
}

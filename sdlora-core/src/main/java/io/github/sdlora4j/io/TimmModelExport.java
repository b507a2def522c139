package io.github.sdlora4j.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.learner.MergeableLearner;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Writes plain timm ViT {@code state_dict}s as safetensors (F32, atomically), loadable in PyTorch with
 * {@code model.load_state_dict(safetensors.torch.load_file(path))} into
 * {@code timm.models.vision_transformer.VisionTransformer(img_size=..., patch_size=..., embed_dim=..., depth=...,
 * num_heads=..., mlp_ratio=..., num_classes=C)} (for ViT-B/16: {@code timm.create_model('vit_base_patch16_224',
 * num_classes=C)}). The exact constructor call is stored in the metadata under {@value #META_TIMM_MODEL}; a
 * classifier exported with its {@link ClassifierMetadata} also records {@code class_names} (column k's name),
 * {@code class_order} (its original dataset class), {@code preprocessing} (resize, crop, interpolation, mean, std as
 * JSON) and {@code preprocessing_torchvision} (the same as a torchvision {@code Compose}). Read them with
 * {@code safetensors.safe_open(path, "pt").metadata()}.
 *
 * <p>The key set is exactly timm's: the backbone keys of {@link io.github.sdlora4j.vit.TimmVitLayout}, plus
 * {@code head.weight} [C, d] and {@code head.bias} [C] when a head is exported (a backbone alone loads into a model
 * made with {@code num_classes=0}).
 */
public final class TimmModelExport {

    /** Metadata: the Python call that builds a matching timm model. */
    public static final String META_TIMM_MODEL = "timm_model";
    /** Metadata: number of classes of the exported head (0 without a head). */
    public static final String META_NUM_CLASSES = "num_classes";
    /** Metadata: the backbone's {@link VitConfig} as JSON. */
    public static final String META_VIT_CONFIG = "sdlora.vit_config";
    /** Metadata: what the file holds, in words. */
    public static final String META_NOTE = "note";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TimmModelExport() {
    }

    /**
     * Exports a learner as one plain ViT: every adapter folded into W_q and W_v
     * ({@link MergeableLearner#mergedBackbone()}) and its classifier head. Its logits equal the learner's
     * {@link MergeableLearner#logits} up to float rounding.
     *
     * @param learner a learner with at least one class, between tasks
     * @param file    the file to create or replace
     * @throws IOException if writing fails; an existing file is then unchanged
     */
    public static void exportMerged(MergeableLearner learner, Path file) throws IOException {
        exportMerged(learner, null, file);
    }

    /**
     * {@link #exportMerged(MergeableLearner, Path)} with the class names, order and preprocessing a user needs.
     *
     * @param classes what the columns mean and how inputs are prepared (one name per learner class), or null
     */
    public static void exportMerged(MergeableLearner learner, ClassifierMetadata classes, Path file)
            throws IOException {
        Objects.requireNonNull(learner, "learner");
        if (classes != null && classes.classNames().size() != learner.numClasses()) {
            throw new IllegalArgumentException("cannot export " + file + ": " + classes.classNames().size()
                    + " class names for a learner with " + learner.numClasses() + " classes");
        }
        if (learner.numClasses() == 0) {
            throw new IllegalStateException("cannot export " + file + ": the learner has no classes yet");
        }
        write(learner.mergedBackbone(), learner.head(), file, learner.methodName() + " learner after "
                + learner.taskClasses().size() + " task(s) with its adapters merged into attn.qkv.weight (q and v"
                + " rows); plain timm ViT state_dict", classes);
    }

    /**
     * Exports a backbone with a classification head.
     *
     * @param backbone the ViT
     * @param head     a head of width {@code backbone.config().dim()}
     * @param file     the file to create or replace
     * @throws IOException if writing fails; an existing file is then unchanged
     */
    public static void exportModel(VitWeights backbone, ClassifierHead head, Path file) throws IOException {
        Objects.requireNonNull(head, "head");
        write(backbone, head, file, "timm ViT state_dict with classification head", null);
    }

    /**
     * Exports a backbone without head (timm {@code num_classes=0}).
     *
     * @param backbone the ViT
     * @param file     the file to create or replace
     * @throws IOException if writing fails; an existing file is then unchanged
     */
    public static void exportBackbone(VitWeights backbone, Path file) throws IOException {
        write(backbone, null, file, "timm ViT backbone state_dict without head", null);
    }

    private static void write(VitWeights backbone, ClassifierHead head, Path file, String note,
                              ClassifierMetadata labels) throws IOException {
        Objects.requireNonNull(backbone, "backbone");
        Objects.requireNonNull(file, "file");
        VitConfig c = backbone.config();
        if (head != null && head.dim() != c.dim()) {
            throw new IllegalArgumentException("cannot export " + file + ": head takes width " + head.dim()
                    + " but the backbone has width " + c.dim());
        }
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        backbone.tensors().forEach((k, v) -> tensors.put(k, v.castTo(DataType.FLOAT)));
        int classes = 0;
        if (head != null) {
            classes = head.numClasses();
            tensors.put(ClassifierHead.WEIGHT, head.weight().castTo(DataType.FLOAT));
            tensors.put(ClassifierHead.BIAS, head.bias().castTo(DataType.FLOAT));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt"); // what Hugging Face tooling expects of a PyTorch state_dict in safetensors
        meta.put(META_NUM_CLASSES, Integer.toString(classes));
        meta.put(META_TIMM_MODEL, timmConstructor(c, classes));
        meta.put(META_VIT_CONFIG, json(c));
        meta.put(META_NOTE, note + "; load with model.load_state_dict(safetensors.torch.load_file(path))");
        if (labels != null) {
            meta.putAll(labels.toMetadata(""));
            if (labels.preprocessing() != null) {
                meta.put(ClassifierMetadata.TORCHVISION, labels.preprocessing().torchvision());
            }
        }
        SafetensorsWriter.write(file, tensors, meta);
    }

    /** The Python expression that builds a timm model with exactly this file's keys and shapes. */
    static String timmConstructor(VitConfig c, int classes) {
        if (c.equals(VitConfig.VIT_B16)) {
            return "timm.create_model('vit_base_patch16_224', num_classes=" + classes + ")";
        }
        return String.format(Locale.ROOT, "timm.models.vision_transformer.VisionTransformer(img_size=%d, "
                        + "patch_size=%d, in_chans=%d, embed_dim=%d, depth=%d, num_heads=%d, mlp_ratio=%s, "
                        + "num_classes=%d)", c.imageSize(), c.patchSize(), c.channels(), c.dim(), c.depth(), c.heads(),
                Double.toString((double) c.mlpDim() / c.dim()), classes);
    }

    private static String json(VitConfig c) {
        try {
            return JSON.writeValueAsString(c);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

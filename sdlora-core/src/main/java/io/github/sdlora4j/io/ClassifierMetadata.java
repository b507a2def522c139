package io.github.sdlora4j.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a user of a trained classifier needs besides its weights: the name of each output column and how images are
 * prepared. Learner checkpoints carry it when the run knew it ({@code sdlora.class_names}, {@code sdlora.class_order},
 * {@code sdlora.preprocessing}); merged exports copy it to plain keys ({@code class_names}, {@code class_order},
 * {@code preprocessing}, {@code preprocessing_torchvision}). Every value is JSON.
 *
 * @param classNames    name of each output column (incremental class k = column k)
 * @param classOrder    original dataset class id of each column, or null when unknown
 * @param preprocessing how a test image becomes an input, or null when unknown
 */
public record ClassifierMetadata(List<String> classNames, List<Integer> classOrder, Preprocessing preprocessing) {

    /** Checkpoint metadata prefix. */
    static final String CHECKPOINT_PREFIX = "sdlora.";
    static final String CLASS_NAMES = "class_names";
    static final String CLASS_ORDER = "class_order";
    static final String PREPROCESSING = "preprocessing";
    static final String TORCHVISION = "preprocessing_torchvision";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Validates: names present, the order (if given) as long as the names. */
    public ClassifierMetadata {
        classNames = List.copyOf(Objects.requireNonNull(classNames, "classNames"));
        if (classOrder != null) {
            classOrder = List.copyOf(classOrder);
            if (classOrder.size() != classNames.size()) {
                throw new IllegalArgumentException("class order has " + classOrder.size() + " entries but there are "
                        + classNames.size() + " class names");
            }
        }
    }

    /**
     * The test-time pipeline: decode, scale pixels to [0, 1], resize the shorter side to {@code resizeSize} (the
     * longer one keeps the aspect ratio), centre-crop {@code cropSize}, then {@code (x - mean) / std} per channel
     * (grayscale images replicated to {@code channels}); tensors are NCHW.
     *
     * @param channels      input channels
     * @param resizeSize    shorter side after the resize
     * @param cropSize      height and width of the centre crop (the model's input size)
     * @param interpolation resize filter, Pillow's ({@code bicubic}, {@code bilinear})
     * @param mean          per-channel mean (zeros when the run normalized nothing)
     * @param std           per-channel standard deviation (ones when the run normalized nothing)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Preprocessing(int channels, int resizeSize, int cropSize, String interpolation, List<Double> mean,
                                List<Double> std) {

        /** Validates the sizes and that mean and std have one value per channel. */
        public Preprocessing {
            if (channels < 1 || cropSize < 1 || resizeSize < cropSize) {
                throw new IllegalArgumentException("preprocessing needs channels >= 1 and resize_size >= crop_size"
                        + " >= 1, got " + channels + ", " + resizeSize + ", " + cropSize);
            }
            Objects.requireNonNull(interpolation, "interpolation");
            mean = mean == null ? List.copyOf(Collections.nCopies(channels, 0.0)) : List.copyOf(mean);
            std = std == null ? List.copyOf(Collections.nCopies(channels, 1.0)) : List.copyOf(std);
            if (mean.size() != channels || std.size() != channels) {
                throw new IllegalArgumentException("preprocessing mean/std need " + channels + " values each, got "
                        + mean.size() + " and " + std.size());
            }
        }

        /** The same pipeline in torchvision (PIL images), for a PyTorch user. */
        public String torchvision() {
            return String.format(Locale.ROOT, "transforms.Compose([transforms.Resize(%d, interpolation="
                            + "transforms.InterpolationMode.%s), transforms.CenterCrop(%d), transforms.ToTensor(), "
                            + "transforms.Normalize(mean=%s, std=%s)])", resizeSize,
                    interpolation.toUpperCase(Locale.ROOT), cropSize, mean, std);
        }
    }

    /** The metadata of the first {@code n} columns (a learner that has seen only the first tasks' classes). */
    public ClassifierMetadata firstClasses(int n) {
        if (n > classNames.size()) {
            throw new IllegalArgumentException("the learner has " + n + " classes but only " + classNames.size()
                    + " class names are known");
        }
        return new ClassifierMetadata(classNames.subList(0, n), classOrder == null ? null : classOrder.subList(0, n),
                preprocessing);
    }

    /** Writes the fields as JSON values under {@code prefix + name}; absent fields are left out. */
    Map<String, String> toMetadata(String prefix) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(prefix + CLASS_NAMES, json(classNames));
        if (classOrder != null) {
            m.put(prefix + CLASS_ORDER, json(classOrder));
        }
        if (preprocessing != null) {
            m.put(prefix + PREPROCESSING, json(preprocessing));
        }
        return m;
    }

    /**
     * Reads what {@link #toMetadata} wrote; empty when there are no class names (files written before they were
     * recorded).
     *
     * @throws IllegalArgumentException when a value is present but not valid JSON of its kind
     */
    static Optional<ClassifierMetadata> fromMetadata(Map<String, String> meta, String prefix) {
        String names = meta.get(prefix + CLASS_NAMES);
        if (names == null) {
            return Optional.empty();
        }
        String order = meta.get(prefix + CLASS_ORDER);
        String pre = meta.get(prefix + PREPROCESSING);
        try {
            return Optional.of(new ClassifierMetadata(JSON.readValue(names, new TypeReference<List<String>>() { }),
                    order == null ? null : JSON.readValue(order, new TypeReference<List<Integer>>() { }),
                    pre == null ? null : JSON.readValue(pre, Preprocessing.class)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("metadata '" + prefix + CLASS_NAMES + "', '" + prefix + CLASS_ORDER
                    + "' or '" + prefix + PREPROCESSING + "' is not valid: " + e.getOriginalMessage(), e);
        }
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

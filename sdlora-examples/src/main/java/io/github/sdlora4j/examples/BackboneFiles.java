package io.github.sdlora4j.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sdlora4j.io.BundledBackbones;
import io.github.sdlora4j.io.SafetensorsWriter;
import io.github.sdlora4j.io.TimmBackboneImporter;
import io.github.sdlora4j.io.TimmModelExport;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds the frozen backbone a run starts from. A backbone is named by one of:
 * <ul>
 *   <li>{@code bundled}: the ViT pretrained on the synthetic pretraining split, {@link BundledBackbones}'
 *       {@value #BUNDLED_NAME} (shipped by sdlora-backbones, see its README); {@code bundled:NAME} any other
 *       backbone that artifact ships;</li>
 *   <li>a ViT preset name ({@code tiny-test}, {@code vit-tiny}, {@code vit-b16}): random weights, for tests and
 *       measurements only;</li>
 *   <li>a path to a timm-layout safetensors file (a {@code state_dict} without or with {@code head.*}).</li>
 * </ul>
 * Files written by this tool carry their ViT shape in the metadata key {@value #VIT_CONFIG_KEY}; for other files
 * (a timm export) the shape must be given as the config's {@code vit} preset.
 */
public final class BackboneFiles {

    /** Metadata key holding the {@link VitConfig} as JSON. */
    public static final String VIT_CONFIG_KEY = TimmModelExport.META_VIT_CONFIG;
    /** The bundled backbone that {@code backbone: bundled} selects. */
    public static final String BUNDLED_NAME = "demo-vit";
    /** Class-path location of the bundled backbone. */
    public static final String BUNDLED_RESOURCE = "/" + BundledBackbones.FOLDER + BUNDLED_NAME + ".safetensors";
    /** The name that selects the bundled backbone. */
    public static final String BUNDLED = "bundled";
    /** Prefix selecting a bundled backbone by name, e.g. {@code bundled:demo-vit}. */
    public static final String BUNDLED_PREFIX = BUNDLED + ":";

    private static final ObjectMapper JSON = new ObjectMapper();

    private BackboneFiles() {
    }

    /** A loaded backbone and where it came from. */
    public record Loaded(VitWeights weights, String source, Path file) {
    }

    /**
     * Loads the backbone named by {@code backbone}.
     *
     * @param declared the ViT shape from the configuration, or null to take it from the file's metadata
     * @param seed     seeds the random weights of a preset
     */
    public static Loaded load(String backbone, VitConfig declared, long seed) throws IOException {
        if (backbone == null || backbone.isBlank()) {
            throw new IllegalArgumentException(
                    "backbone must be given: 'bundled', a ViT preset name or a .safetensors path");
        }
        if (backbone.equals(BUNDLED) || backbone.startsWith(BUNDLED_PREFIX)) {
            String name = backbone.equals(BUNDLED) ? BUNDLED_NAME : backbone.substring(BUNDLED_PREFIX.length());
            Path file = BundledBackbones.file(name, BackboneFiles.class.getClassLoader());
            return new Loaded(read(file, declared, "bundled backbone " + BundledBackbones.resource(name)),
                    backbone, file);
        }
        if (!backbone.contains("/") && !backbone.endsWith(".safetensors")) {
            VitConfig preset = VitConfig.preset(backbone);
            if (declared != null && !declared.equals(preset)) {
                throw new IllegalArgumentException("backbone preset '" + backbone + "' is " + preset + " but vit is "
                        + declared);
            }
            return new Loaded(VitWeights.random(preset, seed, DataType.FLOAT), "random " + backbone, null);
        }
        Path file = Path.of(backbone);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("backbone file " + file.toAbsolutePath() + " does not exist (expected a"
                    + " timm-layout .safetensors file, 'bundled' or a preset name)");
        }
        return new Loaded(read(file, declared, file.toString()), file.toString(), file);
    }

    /** Reads a timm-layout backbone file; {@code declared} may be null when the file names its shape. */
    public static VitWeights read(Path file, VitConfig declared, String source) throws IOException {
        VitConfig config = declared;
        VitConfig fromFile = TimmBackboneImporter.recordedConfig(file).orElse(null);
        if (fromFile != null) {
            if (declared != null && !declared.equals(fromFile)) {
                throw new IllegalArgumentException(source + " holds a " + fromFile + " but the config says vit = "
                        + declared);
            }
            config = fromFile;
        }
        if (config == null) {
            throw new IllegalArgumentException(source + " does not record its ViT shape (metadata "
                    + VIT_CONFIG_KEY + "): set 'vit' in the config, e.g. vit: vit-b16");
        }
        // The importer checks every key and shape from the header before reading, and ignores a timm head.
        return TimmBackboneImporter.load(file, config);
    }

    /** Writes {@code weights} (timm names, F32) with their shape and {@code extra} in the metadata, atomically. */
    public static void write(VitWeights weights, Path file, Map<String, String> extra) throws IOException {
        write(weights, file, extra, DataType.FLOAT);
    }

    /**
     * As {@link #write(VitWeights, Path, Map)}, storing the tensors as {@code storage}: FLOAT (F32) or FLOAT16 (F16,
     * half the size; {@link #read} converts back to F32).
     */
    public static void write(VitWeights weights, Path file, Map<String, String> extra, DataType storage)
            throws IOException {
        if (storage != DataType.FLOAT && storage != DataType.FLOAT16) {
            throw new IllegalArgumentException("backbones are stored as FLOAT or FLOAT16, not " + storage);
        }
        Map<String, String> meta = new LinkedHashMap<>(extra);
        meta.put(VIT_CONFIG_KEY, vitJson(weights.config()));
        SafetensorsWriter.write(file, weights.castTo(storage).tensors(), meta);
    }

    static String vitJson(VitConfig config) {
        try {
            return JSON.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

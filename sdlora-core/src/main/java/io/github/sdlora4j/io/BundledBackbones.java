package io.github.sdlora4j.io;

import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Backbones shipped on the class path, found by name: {@code NAME} is the resource
 * {@value #FOLDER}{@code NAME.safetensors}, a timm-layout ViT that records its shape in the metadata key
 * {@value TimmModelExport#META_VIT_CONFIG}. The artifact {@code io.github.sdlora4j:sdlora-backbones} ships
 * {@code demo-vit} (see its README); any jar may add backbones to the same folder, and a backbone that replaces
 * another does so under a new name, so nothing here knows which names exist.
 */
public final class BundledBackbones {

    /** Class-path folder of the bundled backbones. */
    public static final String FOLDER = "sdlora4j/backbones/";
    /** The artifact that ships the project's own backbones, for error messages. */
    public static final String ARTIFACT = "io.github.sdlora4j:sdlora-backbones";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    /** Resources already copied out by this JVM (safetensors is memory-mapped, so a resource must become a file). */
    private static final Map<String, Path> EXTRACTED = new ConcurrentHashMap<>();

    private BundledBackbones() {
    }

    /**
     * Loads the bundled backbone {@code name} from this library's class loader.
     *
     * @param name e.g. {@code demo-vit}
     * @return its weights, in the shape its file records
     * @throws IllegalArgumentException if the name is malformed or no such resource is on the class path
     * @throws IOException              if the resource is not a recorded-shape timm ViT
     */
    public static VitWeights load(String name) throws IOException {
        return load(name, BundledBackbones.class.getClassLoader());
    }

    /** {@link #load(String)} from the resources of {@code loader}. */
    public static VitWeights load(String name, ClassLoader loader) throws IOException {
        Path file = file(name, loader);
        VitConfig config = TimmBackboneImporter.recordedConfig(file).orElseThrow(() -> new CheckpointException(file,
                "bundled backbone '" + name + "' (" + resource(name) + ") records no ViT shape (metadata "
                        + TimmModelExport.META_VIT_CONFIG + ")"));
        return TimmBackboneImporter.load(file, config);
    }

    /** The class-path resource that holds backbone {@code name}. */
    public static String resource(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bundled backbone name '" + name + "' must be lower-case letters,"
                    + " digits, '.', '_' or '-' (e.g. demo-vit), without a folder or the .safetensors ending");
        }
        return FOLDER + name + ".safetensors";
    }

    /**
     * Backbone {@code name} as a file: the resource copied once per JVM to the temporary folder (deleted on exit).
     *
     * @throws IllegalArgumentException if no such resource is on the class path of {@code loader}
     */
    public static Path file(String name, ClassLoader loader) throws IOException {
        String resource = resource(name);
        Objects.requireNonNull(loader, "loader");
        String key = System.identityHashCode(loader) + "/" + resource;
        Path cached = EXTRACTED.get(key);
        if (cached != null && Files.isRegularFile(cached)) {
            return cached;
        }
        synchronized (EXTRACTED) {
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalArgumentException("no bundled backbone '" + name + "' on the class path (resource "
                            + resource + "); add the artifact " + ARTIFACT + " (it ships demo-vit) or a jar holding"
                            + " that resource");
                }
                Path target = Path.of(System.getProperty("java.io.tmpdir"), "sdlora4j-backbone-" + name + "-"
                        + ProcessHandle.current().pid() + "-" + Integer.toHexString(System.identityHashCode(loader))
                        + ".safetensors");
                AtomicFiles.write(target, in::transferTo);
                target.toFile().deleteOnExit();
                EXTRACTED.put(key, target);
                return target;
            }
        }
    }
}

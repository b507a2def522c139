package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sdlora4j.data.RawImage;
import io.github.sdlora4j.io.MergeableCheckpoints;
import io.github.sdlora4j.learner.MergeableLearner;
import io.github.sdlora4j.transforms.CenterCropTransform;
import io.github.sdlora4j.transforms.PreprocessingSpec;
import io.github.sdlora4j.vit.VitConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A learner saved by {@code run} with its class side file ({@code X.classes.json}), classifying decoded images as
 * {@code predict --images} does: the test preprocessing of the side file, then the merged model's arg-max class.
 * Safe to share between threads (the model is used by one at a time; preprocessing runs in parallel).
 */
public final class ImageClassifier {

    private final MergeableLearner learner;
    private final PreprocessingSpec preprocessing;
    private final List<String> classNames;

    private ImageClassifier(MergeableLearner learner, PreprocessingSpec preprocessing, List<String> classNames) {
        this.learner = learner;
        this.preprocessing = preprocessing;
        this.classNames = List.copyOf(classNames);
    }

    /** Loads {@code checkpoint} and its side file, checking that they fit together. */
    public static ImageClassifier load(Path checkpoint) throws IOException {
        MergeableLearner learner = loadLearner(checkpoint);
        VitConfig vit = learner.vitConfig();
        Path side = classesFile(checkpoint);
        if (!Files.isRegularFile(side)) {
            throw new IllegalArgumentException("--images needs the class side file " + side + " that run writes next"
                    + " to the learner");
        }
        JsonNode classes = ConfigLoader.JSON.readTree(side.toFile());
        List<String> names = new ArrayList<>();
        classes.get("class_names").forEach(n -> names.add(n.asText()));
        PreprocessingSpec pre = ConfigLoader.JSON.treeToValue(classes.get("preprocessing"), PreprocessingSpec.class);
        if (pre.imageSize() != vit.imageSize() || pre.channels() != vit.channels()) {
            throw new IllegalArgumentException(side + ": preprocessing makes " + pre.channels() + "x" + pre.imageSize()
                    + " images but the learner takes " + vit.channels() + "x" + vit.imageSize());
        }
        return new ImageClassifier(learner, pre, names);
    }

    /** The class side file of a checkpoint: {@code X.safetensors} → {@code X.classes.json}. */
    public static Path classesFile(Path checkpoint) {
        return RunOutputs.classesFile(checkpoint);
    }

    /** The learner of a finished run (SD-LoRA or InfLoRA; not a step snapshot taken inside a task). */
    static MergeableLearner loadLearner(Path checkpoint) throws IOException {
        MergeableLearner learner = MergeableCheckpoints.load(checkpoint);
        if (learner.inTask()) {
            throw new IllegalArgumentException(checkpoint + " holds a learner in the middle of a task (a step"
                    + " snapshot); use the learner.safetensors of a finished run");
        }
        return learner;
    }

    /** Class names in incremental order: {@code classNames().get(classify(...)[i])} names image i's class. */
    public List<String> classNames() {
        return classNames;
    }

    /** The predicted class index of each image, in order. */
    public int[] classify(List<RawImage> images) {
        if (images.isEmpty()) {
            return new int[0];
        }
        CenterCropTransform transform = new CenterCropTransform(preprocessing);
        int per = preprocessing.valuesPerImage();
        float[] values = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            // The test transform is deterministic; the random source is part of the transform interface only.
            transform.apply(images.get(i), new SplittableRandom(0), values, i * per);
        }
        INDArray x = Nd4j.create(values, new long[]{images.size(), preprocessing.channels(),
                preprocessing.imageSize(), preprocessing.imageSize()}, 'c').castTo(DataType.FLOAT);
        synchronized (learner) { // the merged graph is built on first use and is not thread-safe
            return learner.predict(x);
        }
    }

    /** Whether a file name has an image extension that predict reads (png, jpg, jpeg, bmp, gif; any case). */
    public static boolean isImage(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".bmp")
                || n.endsWith(".gif");
    }
}

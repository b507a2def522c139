package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.ImageDecoder;
import io.github.sdlora4j.data.RawImage;
import io.github.sdlora4j.learner.MergeableLearner;
import io.github.sdlora4j.vit.VitConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code sdlora predict}: logits of a saved SD-LoRA or InfLoRA learner for a .npy batch, or the predicted class of every image in
 * a folder. Class names and preprocessing come from the side file {@code X.classes.json} that {@code run} writes next
 * to {@code X.safetensors}.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Predict with a saved learner: --input X.npy --out LOGITS.npy (float32 [N,C,H,W] in, float32"
                + " [N, classes] out), or --images DIR to print each image's class.")
final class PredictCommand implements Callable<Integer>, ChecksBeforeBackend {

    private static final int BATCH = 64;

    @Option(names = "--checkpoint", required = true, description = "A learner.safetensors written by run.")
    Path checkpoint;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--input", description = "float32 .npy batch [N, C, H, W], preprocessed like training.")
        Path npy;
        @Option(names = "--images", description = "Folder of images (png, jpg, ...), preprocessed like the test data.")
        Path images;
    }

    @Option(names = "--out", description = "Where --input's logits go (.npy, float32 [N, classes]).")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public void checkBeforeBackend() {
        if (input.npy != null && out == null) {
            throw new ParameterException(spec.commandLine(), "--input needs --out LOGITS.npy");
        }
        if (input.images != null && out != null) {
            throw new ParameterException(spec.commandLine(), "--out goes with --input; --images prints its"
                    + " predictions");
        }
        ChecksBeforeBackend.requireFile(checkpoint, "--checkpoint");
        if (input.npy != null) {
            ChecksBeforeBackend.requireFile(input.npy, "--input");
        } else if (!Files.isDirectory(input.images)) {
            throw new IllegalArgumentException("--images " + input.images
                    + (Files.exists(input.images) ? " is not a folder" : " does not exist"));
        }
    }

    @Override
    public Integer call() throws Exception {
        checkBeforeBackend();
        if (input.npy != null) {
            MergeableLearner learner = ImageClassifier.loadLearner(checkpoint);
            VitConfig vit = learner.vitConfig();
            INDArray x = Npy.readFloat32(input.npy);
            long[] expected = {vit.channels(), vit.imageSize(), vit.imageSize()};
            if (x.rank() != 4 || !Arrays.equals(Arrays.copyOfRange(x.shape(), 1, 4), expected)) {
                throw new IllegalArgumentException(input.npy + ": shape " + Arrays.toString(x.shape())
                        + ", expected [N, " + vit.channels() + ", " + vit.imageSize() + ", " + vit.imageSize() + "]");
            }
            Npy.writeFloat32(out, logits(learner, x));
            System.out.printf("Wrote %s: logits [%d, %d]%n", out, x.size(0), learner.numClasses());
            return 0;
        }
        predictFolder(ImageClassifier.load(checkpoint), input.images);
        return 0;
    }

    private static INDArray logits(MergeableLearner learner, INDArray x) {
        List<INDArray> parts = new ArrayList<>();
        for (long from = 0; from < x.size(0); from += BATCH) {
            long to = Math.min(x.size(0), from + BATCH);
            parts.add(learner.logits(x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to))).dup('c'));
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
    }

    private static void predictFolder(ImageClassifier classifier, Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).filter(p -> ImageClassifier.isImage(p.getFileName().toString()))
                    .sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException(dir + " holds no image files (png, jpg, jpeg, bmp, gif)");
        }
        for (int from = 0; from < files.size(); from += BATCH) {
            List<Path> batch = files.subList(from, Math.min(files.size(), from + BATCH));
            List<RawImage> images = new ArrayList<>();
            for (Path file : batch) {
                images.add(ImageDecoder.decode(file));
            }
            int[] predicted = classifier.classify(images);
            for (int i = 0; i < batch.size(); i++) {
                System.out.println(batch.get(i).getFileName() + "\t" + classifier.classNames().get(predicted[i]));
            }
        }
    }
}

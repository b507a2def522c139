package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.ClassIncrementalBenchmark;
import io.github.sdlora4j.io.CheckpointException;
import io.github.sdlora4j.io.PretrainCheckpoint;
import io.github.sdlora4j.learner.BackbonePretrainer;
import io.github.sdlora4j.learner.EpochLoop;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sdlora pretrain}: trains a ViT from scratch on the synthetic benchmark's disjoint pretraining split and saves
 * it as a timm-layout backbone. The defaults made the bundled demo backbone.
 *
 * <p>Long runs checkpoint next to {@code --out} ({@link #checkpointFile}) every few minutes and/or steps and continue
 * exactly with {@code --resume}; the checkpoint is deleted once the backbone is written. A new run refuses to start
 * over an existing checkpoint, so hours of training are never lost to a forgotten {@code --resume}.
 */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pretrain a ViT on the synthetic pretraining split (classes disjoint from the synthetic"
                + " benchmark's) and save it as a timm-layout safetensors backbone.",
                "Checkpoints go to OUT with .safetensors replaced by .ckpt.safetensors; --resume continues from"
                        + " there exactly, taking every option not given from the checkpoint."})
final class PretrainCommand implements Callable<Integer> {

    private static final double F16_MAX = 65504;

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, description = "Backbone file to write (.safetensors).")
    Path out;
    @Option(names = "--image-size", defaultValue = "32", description = "Input size (default: ${DEFAULT-VALUE}).")
    int imageSize;
    @Option(names = "--patch", defaultValue = "8", description = "Patch size (default: ${DEFAULT-VALUE}).")
    int patch;
    @Option(names = "--dim", defaultValue = "96", description = "Embedding width (default: ${DEFAULT-VALUE}).")
    int dim;
    @Option(names = "--depth", defaultValue = "4", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int depth;
    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;
    @Option(names = "--mlp", defaultValue = "384", description = "MLP hidden width (default: ${DEFAULT-VALUE}).")
    int mlp;
    @Option(names = "--classes", defaultValue = "100",
            description = "Pretraining classes (default: ${DEFAULT-VALUE}).")
    int classes;
    @Option(names = "--benchmark-classes", defaultValue = "100",
            description = "Classes reserved for the synthetic benchmark; pretraining uses the concepts after them, so"
                    + " any synthetic benchmark with at most this many classes never sees a pretraining class"
                    + " (default: ${DEFAULT-VALUE}).")
    int benchmarkClasses;
    @Option(names = "--train-per-class", defaultValue = "60",
            description = "Training images per class (default: ${DEFAULT-VALUE}).")
    int trainPerClass;
    @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--batch-size", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate, divided by 10 for the last"
            + " third of the epochs (default: ${DEFAULT-VALUE}).")
    double learningRate;
    @Option(names = "--seed", defaultValue = "7",
            description = "Seed of weights and data order (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--resume", description = "Continue the interrupted pretraining of --out from its checkpoint;"
            + " options not given are taken from the checkpoint, options given must agree with it.")
    boolean resume;
    @Option(names = "--checkpoint-every-steps", defaultValue = "0", paramLabel = "N",
            description = "Also write the checkpoint every N optimizer steps (default: ${DEFAULT-VALUE}, off).")
    int checkpointEverySteps;
    @Option(names = "--checkpoint-every-minutes", defaultValue = "5", paramLabel = "M",
            description = "Write the checkpoint after the step in which M minutes of training have passed since the"
                    + " last one; 0 turns it off (default: ${DEFAULT-VALUE}).")
    double checkpointEveryMinutes;
    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "f32|f16",
            description = "Precision of the written backbone: f32, or f16 for half the size; readers convert f16 to"
                    + " f32 (default: ${DEFAULT-VALUE}).")
    String dtype;

    /** Where the checkpoint of {@code out} goes: {@code X.safetensors} → {@code X.ckpt.safetensors}. */
    static Path checkpointFile(Path out) {
        String name = out.getFileName().toString();
        String stem = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
        return out.resolveSibling(stem + ".ckpt.safetensors");
    }

    @Override
    public Integer call() throws Exception {
        DataType storage = storageType();
        PretrainSettings requested = new PretrainSettings(imageSize, patch, dim, depth, heads, mlp, classes,
                benchmarkClasses, trainPerClass, epochs, batchSize, learningRate, seed);
        checkUsage(requested);
        Path dir = out.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + out + ": directory " + dir + " does not exist");
        }
        Path ckpt = checkpointFile(out);
        PretrainCheckpoint.Contents saved = null;
        PretrainRecord record;
        if (resume) {
            saved = checkpointToResume(ckpt, requested);
            record = PretrainRecord.read(ckpt, saved.metadata()).resumedBy(commandLine());
        } else {
            refuseToClobber(ckpt);
            record = PretrainRecord.first(requested, commandLine());
        }
        PretrainSettings settings = record.settings();
        long start = System.nanoTime();
        BackbonePretrainer pretrainer;
        try (ClassIncrementalBenchmark data = ClassIncrementalBenchmark.open(settings.dataset())) {
            pretrainer = saved == null
                    ? BackbonePretrainer.start(VitWeights.random(settings.vit(), settings.seed(), DataType.FLOAT),
                    settings.classes(), settings.optimizer(), settings.seed())
                    : resume(ckpt, saved.snapshot(), settings);
            BackbonePretrainer p = pretrainer;
            PretrainCheckpoints checkpoints = new PretrainCheckpoints(pretrainer, ckpt, checkpointEverySteps,
                    checkpointEveryMinutes, () -> record.metadata(p.position().iteration(),
                    (System.nanoTime() - start) / 1e9), settings, System.console() == null);
            ProgressMonitor monitor = new ProgressMonitor("pretrain", settings.imagesPerEpoch(), checkpoints);
            try {
                pretrainer.train(data.trainIterator(0, settings.batchSize(), settings.seed()), settings.epochs(),
                        monitor);
            } finally {
                monitor.closeQuietly();
            }
            checkpoints.saveFinal(); // should writing the backbone fail, --resume writes it without training again
        }
        VitWeights trained = inRange(pretrainer.backbone(), storage);
        double seconds = (System.nanoTime() - start) / 1e9;
        BackboneFiles.write(trained, out, record.metadata(pretrainer.position().iteration(), seconds), storage);
        Files.deleteIfExists(ckpt);
        System.out.printf(Locale.ROOT, "Wrote %s (%s, %,d parameters, %s) after %.1f minutes of training%n", out,
                settings.vit(), trained.parameterCount(), dtype.toLowerCase(Locale.ROOT),
                (record.seconds() + seconds) / 60);
        return 0;
    }

    private DataType storageType() {
        return switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32" -> DataType.FLOAT;
            case "f16" -> DataType.FLOAT16;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--dtype must be f32 or f16, got '" + dtype + "'");
        };
    }

    private void checkUsage(PretrainSettings s) {
        List<String> bad = new ArrayList<>();
        if (s.epochs() < 1 || s.batchSize() < 1 || s.trainPerClass() < 1) {
            bad.add("--epochs, --batch-size and --train-per-class must be >= 1");
        }
        if (s.classes() < 2) {
            bad.add("--classes must be >= 2, got " + s.classes());
        }
        if (checkpointEverySteps < 0 || !(checkpointEveryMinutes >= 0) || Double.isInfinite(checkpointEveryMinutes)) {
            bad.add("--checkpoint-every-steps and --checkpoint-every-minutes must be >= 0 (0: off)");
        }
        if (!bad.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", bad));
        }
        if (!resume) {
            try {
                s.vit();
                s.optimizer();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** The whole command line as typed ({@code originalArgs} starts with the subcommand's name). */
    private String commandLine() {
        return "sdlora " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
    }

    /** The checkpoint {@code --resume} continues, after checking that the options given agree with it. */
    private PretrainCheckpoint.Contents checkpointToResume(Path ckpt, PretrainSettings requested) throws IOException {
        if (!Files.exists(ckpt)) {
            throw new IllegalArgumentException("--resume: there is no checkpoint " + ckpt + " to continue (it is"
                    + " deleted once the backbone is written; without --resume a new pretraining starts)");
        }
        PretrainCheckpoint.Contents saved = PretrainCheckpoint.load(ckpt);
        PretrainSettings settings = PretrainRecord.read(ckpt, saved.metadata()).settings();
        List<String> conflicts = settings.conflicts(requested, this::given);
        if (!conflicts.isEmpty()) {
            throw new IllegalArgumentException(ckpt + " was written with other settings: "
                    + String.join("; ", conflicts) + ". Leave those options out (or give the checkpoint's values)"
                    + " to continue it, or delete it to start over");
        }
        EpochLoop.Position at = saved.snapshot().position();
        System.out.printf("Resuming %s at epoch %d of %d, batch %d (step %d)%n", ckpt,
                Math.min(at.epoch() + 1, settings.epochs()), settings.epochs(), at.batchesDone(), at.iteration());
        return saved;
    }

    /** A new run must not overwrite a checkpoint that may hold hours of work. */
    private void refuseToClobber(Path ckpt) {
        if (!Files.exists(ckpt)) {
            return;
        }
        String where;
        try {
            PretrainCheckpoint.Contents c = PretrainCheckpoint.load(ckpt);
            EpochLoop.Position at = c.snapshot().position();
            where = "an unfinished pretraining (" + at.epoch() + " epochs and " + at.batchesDone() + " batches done, "
                    + at.iteration() + " steps)";
        } catch (IOException | RuntimeException e) {
            where = "a pretraining checkpoint that cannot be read (" + e.getMessage() + ")";
        }
        throw new IllegalArgumentException(ckpt + " holds " + where + " for --out " + out + ": pass --resume to"
                + " continue it, or delete it to start over");
    }

    private static BackbonePretrainer resume(Path ckpt, BackbonePretrainer.Snapshot from, PretrainSettings s)
            throws CheckpointException {
        if (!s.vit().equals(from.backbone().config())) {
            throw new CheckpointException(ckpt, "holds a " + from.backbone().config() + " but its settings describe a "
                    + s.vit());
        }
        if (from.numClasses() != s.classes()) {
            throw new CheckpointException(ckpt, "its head has " + from.numClasses() + " classes, its settings "
                    + s.classes());
        }
        if (from.position().epoch() > s.epochs()) {
            throw new CheckpointException(ckpt, "is at epoch " + from.position().epoch() + ", beyond its "
                    + s.epochs() + " epochs");
        }
        try {
            return BackbonePretrainer.resume(from, s.optimizer());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(ckpt, e.getMessage(), e);
        }
    }

    /** F16 holds magnitudes up to 65504: a larger weight would become infinite, so refuse before writing. */
    private VitWeights inRange(VitWeights w, DataType storage) {
        if (storage == DataType.FLOAT16) {
            for (Map.Entry<String, INDArray> e : w.tensors().entrySet()) {
                double max = e.getValue().amaxNumber().doubleValue();
                if (!(max <= F16_MAX)) {
                    throw new IllegalArgumentException("--dtype f16 cannot hold " + e.getKey() + " (|value| up to "
                            + max + ", f16 stops at 65504): rerun with --resume --dtype f32 (the checkpoint is kept)");
                }
            }
        }
        return w;
    }
}

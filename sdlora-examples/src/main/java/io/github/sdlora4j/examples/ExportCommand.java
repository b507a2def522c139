package io.github.sdlora4j.examples;

import io.github.sdlora4j.io.AtomicFiles;
import io.github.sdlora4j.io.ClassifierMetadata;
import io.github.sdlora4j.io.LearnerCheckpoint;
import io.github.sdlora4j.io.MergeableCheckpoints;
import io.github.sdlora4j.io.TimmModelExport;
import io.github.sdlora4j.learner.MergeableLearner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code sdlora export}: an SD-LoRA or InfLoRA learner as a plain timm ViT {@code state_dict} with every adapter
 * folded into the weights ({@code --merged}), or as the learner checkpoint itself.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a saved learner: --merged writes a plain timm ViT state_dict (adapters folded into"
                + " qkv, plus head.weight/head.bias) loadable by timm/PyTorch; without it, the learner checkpoint"
                + " as saved (sdlora4j-learner/1 layout for SD-LoRA, with separate adapters; sdlora4j-inflora/1 for"
                + " InfLoRA).")
final class ExportCommand implements Callable<Integer>, ChecksBeforeBackend {

    @Option(names = "--checkpoint", required = true, description = "A learner.safetensors written by run.")
    Path checkpoint;

    @Option(names = "--out", required = true, description = "The .safetensors file to write.")
    Path out;

    @Option(names = "--merged", description = "Fold the adapters into the backbone weights.")
    boolean merged;

    @Spec
    CommandSpec spec;

    @Override
    public void checkBeforeBackend() {
        if (out.toAbsolutePath().normalize().equals(checkpoint.toAbsolutePath().normalize())) {
            throw new ParameterException(spec.commandLine(), "--out must differ from --checkpoint");
        }
        ChecksBeforeBackend.requireFile(checkpoint, "--checkpoint");
    }

    @Override
    public Integer call() throws Exception {
        checkBeforeBackend();
        MergeableLearner learner = MergeableCheckpoints.load(checkpoint);
        if (!merged) {
            AtomicFiles.write(out, o -> Files.copy(checkpoint, o));
            System.out.printf("Wrote %s (learner checkpoint, %d tasks, %d classes)%n", out,
                    learner.taskClasses().size(), learner.numClasses());
            return 0;
        }
        if (learner.inTask()) {
            throw new IllegalArgumentException(checkpoint + " holds a learner in the middle of a task; export a"
                    + " finished one");
        }
        Optional<ClassifierMetadata> classes = LearnerCheckpoint.readClassifierMetadata(checkpoint);
        TimmModelExport.exportMerged(learner, classes.orElse(null), out);
        System.out.printf("Wrote %s (timm ViT state_dict with adapters merged, %d classes%s)%n", out,
                learner.numClasses(), classes.isPresent() ? ", their names and the preprocessing in its metadata"
                        : "; the checkpoint records no class names");
        return 0;
    }
}

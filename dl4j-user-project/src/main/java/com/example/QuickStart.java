package com.example;

import io.github.sdlora4j.data.ClassIncrementalBenchmark;
import io.github.sdlora4j.data.ClassRange;
import io.github.sdlora4j.data.DatasetSpec;
import io.github.sdlora4j.io.BundledBackbones;
import io.github.sdlora4j.io.LearnerCheckpoint;
import io.github.sdlora4j.learner.SdLoraConfig;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.learner.TaskExperience;
import io.github.sdlora4j.learner.TrainingMonitor;
import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** SD-LoRA over two tasks of the synthetic benchmark, from the bundled backbone. */
public class QuickStart {
    public static void main(String[] args) throws Exception {
        // The paper's ViT-B/16 instead: TimmBackboneImporter.load(Path.of("model.safetensors"), VitConfig.VIT_B16)
        VitWeights backbone = BundledBackbones.load("demo-vit");
        SdLoraConfig config = SdLoraConfig.reference(backbone.config()).withRanks(RankSchedule.constant(4));
        SdLoraLearner learner = SdLoraLearner.create(config, backbone);
        // 4 classes in 2 tasks; "cifar100", "image-folder", ... read files the same way (DatasetSpec.of(format, root, ...))
        DatasetSpec spec = DatasetSpec.of("synthetic", null, 2, 2, backbone.config().imageSize())
                .withOptions(Map.of("classes", "4", "trainPerClass", "48", "testPerClass", "20"));
        try (ClassIncrementalBenchmark benchmark = ClassIncrementalBenchmark.open(spec)) {
            for (int t = 0; t < benchmark.numTasks(); t++) {
                DataSetIterator train = benchmark.trainIterator(t, 16, config.seed());
                ClassRange classes = benchmark.taskClasses(t);
                learner.beforeTask(new TaskExperience(t, classes.start(), classes.size(), train));   // grow the head, add adapters
                learner.train(train, 3, TrainingMonitor.NONE);
                learner.afterTask();                                   // freeze; SD-LoRA-KD assimilation if enabled
                Evaluation eval = learner.evaluate(benchmark.testIteratorSeen(t, 64));   // DL4J's Evaluation
                System.out.printf("after task %d: accuracy on %d classes %.1f %%%n", t, learner.numClasses(),
                        100 * eval.accuracy());
            }
            INDArray logits = learner.logits(benchmark.testIteratorSeen(1, 8).next().getFeatures());  // a plain ViT forward
            System.out.println("logits " + Arrays.toString(logits.shape()));
        }
        LearnerCheckpoint.save(learner, Path.of(args.length > 0 ? args[0] : "learner.safetensors"));
    }
}

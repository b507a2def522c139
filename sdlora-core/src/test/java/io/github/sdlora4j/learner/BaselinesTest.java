package io.github.sdlora4j.learner;

import io.github.sdlora4j.lora.LoraFactors;
import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.vit.Projection;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BaselinesTest {

    static final VitConfig C = VitConfig.TINY_TEST;

    static SdLoraConfig config() {
        return SdLoraConfig.reference(C).withRanks(RankSchedule.constant(4))
                .withOptimizer(new OptimizerConfig("sgd", 0.01, 0.9, List.of(), 0.1));
    }

    @Test
    void simpleCilScoresByCosineToClassMeans() {
        VitWeights backbone = TemplateData.pretrainedBackbone();
        SimpleCilLearner learner = new SimpleCilLearner(backbone);
        TemplateData data = new TemplateData(C, 6, 12);
        data.trainTasks(learner, 3, 16, 100, 16, 1);
        DataSet test = data.sample(0, 6, 10, 999);
        INDArray logits = learner.logits(test.getFeatures());
        assertEquals(6, logits.size(1));
        assertTrue(logits.amaxNumber().doubleValue() <= 1.0 + 1e-5, "cosine similarities");
        Evaluation e = learner.evaluate(TemplateData.iterator(test, 32));
        assertTrue(e.accuracy() > 0.5, "SimpleCIL accuracy on 6 classes: " + e.accuracy());

        // A prototype is the normalized mean feature: an image equal to its class's only sample scores 1.
        SimpleCilLearner one = new SimpleCilLearner(backbone);
        one.beforeTask(1);
        DataSet single = data.sample(0, 1, 1, 5);
        INDArray y = Nd4j.ones(DataType.FLOAT, 1, 1);
        one.trainStep(new DataSet(single.getFeatures(), y), 0, 0);
        one.afterTask();
        assertEquals(1.0, one.logits(single.getFeatures()).getDouble(0, 0), 1e-5);
    }

    @Test
    void sequentialLoraKeepsOneAdapterAndTrainsOnlyTheNewHeadRows() {
        SequentialLoraLearner learner = new SequentialLoraLearner(config(), TemplateData.pretrainedBackbone());
        TemplateData data = new TemplateData(C, 4, 12);
        learner.beforeTask(2);
        learner.train(TemplateData.iterator(data.sample(0, 2, 8, 1), 8), 1, null);
        learner.afterTask();
        INDArray x = data.sample(0, 4, 2, 3).getFeatures();
        INDArray before = learner.logits(x);
        LoraFactors adapterBefore = learner.state().task(0).get(0, Projection.Q);
        INDArray adapterA = adapterBefore.a().dup();
        INDArray adapterB = adapterBefore.b().dup();

        learner.beforeTask(2);
        ClassifierHead grown = learner.head().copy();
        learner.train(TemplateData.iterator(data.sample(2, 4, 8, 2), 8), 1, null);
        learner.afterTask();
        INDArray after = learner.logits(x);
        ClassifierHead head = learner.head();

        assertEquals(4, after.size(1));
        assertEquals(TrainingScope.CURRENT_TASK, learner.trainingScope());
        // Task 0's head rows are not trained in task 1, bit for bit; task 1's fresh rows are.
        assertEquals(grown.weight().getRows(0, 1), head.weight().getRows(0, 1));
        assertEquals(grown.bias().get(NDArrayIndex.interval(0, 2)), head.bias().get(NDArrayIndex.interval(0, 2)));
        assertFalse(grown.weightRows(2).equalsWithEps(head.weightRows(2), 1e-6), "new rows trained");
        // One adapter, trained again in task 1 (no frozen directions), so even the old classes' logits changed.
        assertEquals(1, learner.state().numTasks());
        LoraFactors adapterAfter = learner.state().task(0).get(0, Projection.Q);
        assertFalse(adapterA.equalsWithEps(adapterAfter.a(), 1e-7) && adapterB.equalsWithEps(adapterAfter.b(), 1e-7),
                "the adapter kept training");
        assertFalse(before.equalsWithEps(after.getColumns(0, 1), 1e-6));
    }

    @Test
    void jointTrainsEverySeenClass() {
        JointLearner learner = new JointLearner(config(), TemplateData.pretrainedBackbone());
        assertEquals(TrainingScope.ALL_SEEN_CLASSES, learner.trainingScope());
        TemplateData data = new TemplateData(C, 4, 12);
        learner.beforeTask(2);
        learner.train(TemplateData.iterator(data.sample(0, 2, 8, 1), 8), 1, null);
        learner.afterTask();
        learner.beforeTask(2);
        // Labels of classes 0-1 are legal in task 1 for the joint learner.
        double loss = learner.trainStep(data.sample(0, 4, 4, 2), 0, 0);
        assertTrue(Double.isFinite(loss) && loss > 0);
        learner.afterTask();
        assertEquals(4, learner.numClasses());
        assertArrayEquals(new long[]{3, 4}, learner.logits(data.sample(0, 3, 1, 4).getFeatures()).shape());
    }
}

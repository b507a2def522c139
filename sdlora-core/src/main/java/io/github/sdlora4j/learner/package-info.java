/**
 * Class-incremental learners behind one interface ({@link io.github.sdlora4j.learner.ClassIncrementalLearner}):
 * SD-LoRA ({@link io.github.sdlora4j.learner.SdLoraLearner}) and the baselines sequential LoRA, SimpleCIL and joint
 * training; their configuration, PyTorch-semantics optimizers and backbone pretraining.
 */
package io.github.sdlora4j.learner;

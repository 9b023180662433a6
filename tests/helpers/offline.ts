/**
 * Preloaded for every test file (bunfig.toml): tests never reach the internet. Embedding
 * models are not downloaded from the Hugging Face hub; the tests of the download itself
 * point HF_ENDPOINT at a local fake hub and clear this for the app they start.
 */
process.env.HF_HUB_OFFLINE ??= "1";

package io.miaobu.api.source;

/** Whether a pull request or branch a preview was built from still wants its preview. */
public enum RefState {
    /** The pull request is open, or the branch exists. */
    OPEN,
    /** The pull request was closed or merged, or the branch was deleted: its preview can go. */
    GONE,
    /** The source host could not say (unreachable, or this provider cannot tell): keep the preview for now. */
    UNKNOWN
}

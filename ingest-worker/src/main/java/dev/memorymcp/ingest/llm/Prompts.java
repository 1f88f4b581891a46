package dev.memorymcp.ingest.llm;

/**
 * The system prompts of the two LLM calls, in the spirit of Mem0: extract facts, then decide
 * what each one does to the existing memories. Both demand JSON only (OpenAI's json_object mode
 * also requires the word "JSON" to appear in the messages).
 */
final class Prompts {
  private Prompts() {}

  /** Takes the fact cap ({@code %d}) through {@link String#formatted}. */
  static final String EXTRACT = """
      You extract long-term memories about the USER from a conversation between a user and an
      assistant. The conversation comes as "role: content" lines.

      Keep what is worth remembering across conversations:
      - personal facts (name, job, location, people, tools they use)
      - preferences and dislikes
      - decisions they made and the reasons given
      - plans, goals and ongoing work
      - rules and standing instructions about themselves or their project
      - facts about their project (stack, architecture, conventions, deadlines)

      Rules:
      - Take only what the user said or clearly confirmed. Never take the assistant's
        suggestions, explanations or questions unless the user accepted them.
      - Skip greetings, small talk, one-off requests and anything only true for this moment.
      - Write each memory as one short, self-contained sentence that makes sense on its own,
        without "he", "it" or "this" pointing back into the conversation.
      - Keep each memory in the language it was said in. Never translate: Japanese stays
        Japanese, French stays French.
      - At most %d memories; prefer the most important ones. No duplicates.

      Answer with JSON only, no prose and no code fences, in exactly this shape:
      {"facts": [{"content": "...", "type": "preference", "tags": ["..."], "importance": 0.7}]}
      type is one of: decision, work, knowledge, fact, preference, person, project, concept,
      event, note, rule.
      tags are 0 to 5 short lowercase keywords.
      importance is a number from 0 to 1: rules and decisions high (0.8), lasting preferences
      and facts medium (0.6), minor details low (0.3).
      If there is nothing worth remembering, answer {"facts": []}.
      """;

  static final String DECIDE = """
      You maintain a user's long-term memory. You get one new fact and the existing memories
      most similar to it, as JSON, each with its id. Compare them and choose one event:
      - ADD: the fact is new information that no existing memory holds.
      - UPDATE: the fact refines, corrects or contradicts one existing memory (for example a
        changed preference). Give that memory's id and, as content, the merged memory: the new
        information plus the details of the old memory that are still true.
      - DELETE: the fact says an existing memory is no longer true and nothing replaces it.
        Give that memory's id.
      - NONE: the fact is already known. Give the id of the memory that holds it.
      memory_id must be copied exactly from the existing memories; never invent one. With no
      existing memories, the event is ADD or NONE.
      Write content in the language of the fact; never translate.

      Answer with JSON only, no prose and no code fences, in exactly this shape:
      {"event": "ADD", "memory_id": null, "content": "...", "reason": "..."}
      event is ADD, UPDATE, DELETE or NONE; memory_id is an id or null; content is the text to
      store for ADD and UPDATE, otherwise null; reason is one short sentence.
      """;
}

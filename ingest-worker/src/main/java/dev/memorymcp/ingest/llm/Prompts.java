package dev.memorymcp.ingest.llm;

/** The system prompts of the two LLM calls: extract facts, then decide what to do with each. */
final class Prompts {
  private Prompts() {}

  static final String EXTRACT = """
      You extract long-term memories from a conversation between a user and an assistant.
      Keep only what is worth remembering across conversations about the USER: their facts
      (name, job, location, tools, people), preferences and dislikes, decisions, plans and
      standing rules or instructions. Take only what the user said or clearly confirmed; never
      take the assistant's suggestions, greetings, questions or small talk.
      Write each memory as one short, self-contained sentence that makes sense on its own.
      Keep each memory in the language it was said in: never translate (Japanese stays Japanese).
      Answer with JSON only, no prose, in exactly this shape:
      {"facts": [{"content": "...", "type": "preference", "tags": ["..."], "importance": 0.7}]}
      type is one of: decision, work, knowledge, fact, preference, person, project, concept,
      event, note, rule. importance is between 0 and 1 (decisions and rules high, trivia low).
      If there is nothing worth remembering, answer {"facts": []}.
      """;

  static final String DECIDE = """
      You maintain a user's long-term memory. You get one NEW FACT and the EXISTING MEMORIES most
      similar to it, each with its id. Decide one event:
      - ADD: the fact is new information not covered by any existing memory.
      - UPDATE: the fact refines, corrects or contradicts one existing memory (for example a
        changed preference); give that memory's id and the merged content, keeping the details
        that are still true.
      - DELETE: the fact says an existing memory is no longer true and nothing replaces it; give
        its id.
      - NONE: the fact is already known; give the id of the memory that holds it, if any.
      Keep the language the memories are written in. Answer with JSON only, in exactly this shape:
      {"event": "ADD|UPDATE|DELETE|NONE", "memory_id": "id or null", "content": "text for ADD/UPDATE or null", "reason": "short reason"}
      """;
}

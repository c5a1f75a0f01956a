/*
 * akcred help [COMMAND [SUBCOMMAND]]: the commands, or one command's help.
 * akcred help --completion bash|zsh|fish: a completion script for that shell,
 * generated from the command table (completions/ holds the generated copies).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "banned.h"

struct help_opts {
	const char *shell;
};

static const struct cmd_option options[] = {
	CMD_OPT("completion", CMD_STRING, struct help_opts, shell, "bash|zsh|fish", "bash zsh fish",
		"print a completion script for the shell"),
	CMD_OPT_END,
};

/* Iterate over leaf commands, giving their full path ("jwt mint"). */
struct leaf {
	const struct cmd_entry *entry;
	const struct cmd_entry *parent;
	char path[64];
};

static int
next_leaf(struct leaf *l, size_t *ti, size_t *ci)
{
	const struct cmd_entry *t;

	while ((t = cmd_table[*ti]) != NULL) {
		if (t->children == NULL) {
			(*ti)++;
			l->entry = t;
			l->parent = NULL;
			snprintf(l->path, sizeof(l->path), "%s", t->name);
			return 1;
		}
		if (t->children[*ci] != NULL) {
			l->entry = t->children[(*ci)++];
			l->parent = t;
			snprintf(l->path, sizeof(l->path), "%s %s", t->name, l->entry->name);
			return 1;
		}
		(*ti)++;
		*ci = 0;
	}
	return 0;
}

static void
words(FILE *f, const struct cmd_entry *const *table, const char *sep)
{
	for (; *table != NULL; table++)
		fprintf(f, "%s%s", (*table)->name, table[1] != NULL ? sep : "");
}

static void
bash_value(FILE *f, const char *complete)
{
	if (complete == NULL)
		fputs("return ;;", f);
	else if (strcmp(complete, "@file") == 0)
		fputs("COMPREPLY=($(compgen -f -- \"$cur\")); return ;;", f);
	else if (strcmp(complete, "@dir") == 0)
		fputs("COMPREPLY=($(compgen -d -- \"$cur\")); return ;;", f);
	else
		fprintf(f, "COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;;", complete);
}

static void
completion_bash(FILE *f)
{
	const struct cmd_entry *const *t;
	const struct cmd_option *o;
	struct leaf l;
	size_t ti = 0, ci = 0;

	fputs("# bash completion for akcred(1).\n"
	      "# Generated from the command table by 'akcred help --completion bash': do not "
	      "edit.\n"
	      "_akcred()\n{\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "\tlocal path='' i w opts='' operands=''\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\tw=${COMP_WORDS[i]}\n"
	      "\t\t[[ $w == -* ]] && continue\n"
	      "\t\tcase $path in\n"
	      "\t\t'') path=$w ;;\n",
	      f);
	for (t = cmd_table; *t != NULL; t++)
		if ((*t)->children != NULL)
			fprintf(f, "\t\t%s) path=\"%s $w\" ;;\n", (*t)->name, (*t)->name);
	fputs("\t\t*) break ;;\n\t\tesac\n\tdone\n\tcase $path in\n\t'')\n"
	      "\t\tCOMPREPLY=($(compgen -W \"",
	      f);
	words(f, cmd_table, " ");
	fputs("\" -- \"$cur\"))\n\t\treturn ;;\n", f);
	for (t = cmd_table; *t != NULL; t++) {
		if ((*t)->children == NULL)
			continue;
		fprintf(f, "\t%s)\n\t\tCOMPREPLY=($(compgen -W \"", (*t)->name);
		words(f, (*t)->children, " ");
		fputs(" --help\" -- \"$cur\"))\n\t\treturn ;;\n", f);
	}
	while (next_leaf(&l, &ti, &ci)) {
		fprintf(f, "\t'%s')\n\t\tcase $prev in\n", l.path);
		for (o = l.entry->options; o != NULL && o->name != NULL; o++) {
			if (o->kind == CMD_FLAG)
				continue;
			fprintf(f, "\t\t--%s", o->name);
			if (o->letter != 0)
				fprintf(f, "|-%c", o->letter);
			fputs(") ", f);
			bash_value(f, o->complete);
			fputc('\n', f);
		}
		fputs("\t\tesac\n\t\topts='", f);
		for (o = l.entry->options; o != NULL && o->name != NULL; o++)
			fprintf(f, "--%s ", o->name);
		fprintf(f, "--help'\n\t\toperands='%s'\n\t\t;;\n",
			l.entry->operands ? l.entry->operands : "");
	}
	fputs("\tesac\n"
	      "\tif [[ $cur == -* ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	      "\telif [[ $operands == @file ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	      "\telif [[ $operands == @token ]]; then\n"
	      "\t\t# @FILE, never a bare file name (that would be read as a token).  bash\n"
	      "\t\t# replaces the word with its '@' (a readline special prefix) although\n"
	      "\t\t# COMP_WORDS may split it off: take the word from the line.\n"
	      "\t\tw=$cur\n"
	      "\t\tif [[ -n ${COMP_LINE-} ]]; then\n"
	      "\t\t\tw=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}\n"
	      "\t\t\tw=${w##*[[:space:]]}\n"
	      "\t\tfi\n"
	      "\t\tCOMPREPLY=($(compgen -P @ -f -- \"${w#@}\"))\n"
	      "\telif [[ $operands == @command ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"",
	      f);
	words(f, cmd_table, " ");
	fputs("\" -- \"$cur\"))\n"
	      "\tfi\n"
	      "}\n"
	      "complete -o filenames -o bashdefault -F _akcred akcred\n",
	      f);
}

/* Text for zsh's _arguments and _describe: quote ' and escape []: and \. */
static void
zsh_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else if (strchr("[]:\\", *s) != NULL)
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
}

static void
zsh_describe(FILE *f, const char *var, const struct cmd_entry *const *table)
{
	fprintf(f, "\t\tlocal -a %s=(\n", var);
	for (; *table != NULL; table++) {
		fprintf(f, "\t\t\t'%s:", (*table)->name);
		zsh_text(f, (*table)->summary);
		fputs("'\n", f);
	}
	fputs("\t\t)\n", f);
}

static void
zsh_arguments(FILE *f, const struct cmd_entry *e)
{
	const struct cmd_option *o;
	char help[256];

	fputs("_arguments -s", f);
	for (o = e->options; o != NULL && o->name != NULL; o++) {
		fputs(" \\\n\t\t\t\t'", f);
		if (o->letter != 0)
			fprintf(f, "(-%c --%s)'{-%c,--%s}'", o->letter, o->name, o->letter,
				o->name);
		else
			fprintf(f, "--%s", o->name);
		fputc('[', f);
		zsh_text(f, cmd_option_help(o, help, sizeof(help)));
		fputc(']', f);
		if (o->kind != CMD_FLAG) {
			fputc(':', f);
			zsh_text(f, o->arg);
			fputc(':', f);
			if (o->complete == NULL)
				fputs(" ", f);
			else if (strcmp(o->complete, "@file") == 0)
				fputs("_files", f);
			else if (strcmp(o->complete, "@dir") == 0)
				fputs("_files -/", f);
			else
				fprintf(f, "(%s)", o->complete);
		}
		fputc('\'', f);
	}
	fputs(" \\\n\t\t\t\t'(- *)'{-h,--help}'[show the help]'", f);
	if (e->operands != NULL && strcmp(e->operands, "@file") == 0)
		fputs(" \\\n\t\t\t\t'*:file:_files'", f);
	else if (e->operands != NULL && strcmp(e->operands, "@token") == 0)
		fputs(" \\\n\t\t\t\t'*:token file (@FILE):_akcred_at_file'", f);
	else if (e->operands != NULL && strcmp(e->operands, "@command") == 0)
		fputs(" \\\n\t\t\t\t'*:command:_akcred_commands'", f);
	fputc('\n', f);
}

static void
completion_zsh(FILE *f)
{
	const struct cmd_entry *const *t, *const *c;

	fputs("#compdef akcred\n"
	      "# zsh completion for akcred(1).\n"
	      "# Generated from the command table by 'akcred help --completion zsh': do not "
	      "edit.\n\n"
	      "# @FILE operands: the '@' stays on the line, a bare file name is not offered.\n"
	      "_akcred_at_file()\n{\n"
	      "\tcompset -P @ || { compadd -S '' @; return }\n"
	      "\t_files\n}\n\n"
	      "_akcred_commands()\n{\n",
	      f);
	zsh_describe(f, "commands", cmd_table);
	fputs("\t\t_describe -t commands 'akcred command' commands\n}\n\n"
	      "_akcred()\n{\n"
	      "\tif (( CURRENT == 2 )); then\n"
	      "\t\t_akcred_commands\n"
	      "\t\treturn\n"
	      "\tfi\n"
	      "\tlocal cmd=${words[2]}\n"
	      "\tshift words\n"
	      "\t(( CURRENT-- ))\n"
	      "\tcase $cmd in\n",
	      f);
	for (t = cmd_table; *t != NULL; t++) {
		fprintf(f, "\t%s)\n", (*t)->name);
		if ((*t)->children == NULL) {
			fputs("\t\t", f);
			zsh_arguments(f, *t);
			fputs("\t\t;;\n", f);
			continue;
		}
		fputs("\t\tif (( CURRENT == 2 )); then\n", f);
		zsh_describe(f, "subcommands", (*t)->children);
		fputs("\t\t\t_describe -t commands 'akcred command' subcommands\n"
		      "\t\t\treturn\n"
		      "\t\tfi\n"
		      "\t\tlocal sub=${words[2]}\n"
		      "\t\tshift words\n"
		      "\t\t(( CURRENT-- ))\n"
		      "\t\tcase $sub in\n",
		      f);
		for (c = (*t)->children; *c != NULL; c++) {
			fprintf(f, "\t\t%s)\n\t\t\t", (*c)->name);
			zsh_arguments(f, *c);
			fputs("\t\t\t;;\n", f);
		}
		fputs("\t\tesac\n\t\t;;\n", f);
	}
	fputs("\tesac\n}\n\n"
	      "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
	      "\t_akcred \"$@\"\n"
	      "else\n"
	      "\tcompdef _akcred akcred\n"
	      "fi\n",
	      f);
}

static void
fish_text(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static void
completion_fish(FILE *f)
{
	const struct cmd_entry *const *t, *const *c;
	const struct cmd_option *o;
	struct leaf l;
	size_t ti = 0, ci = 0;
	char cond[256], help[256];

	fputs("# fish completion for akcred(1).\n"
	      "# Generated from the command table by 'akcred help --completion fish': do not "
	      "edit.\n"
	      "complete -c akcred -f\n",
	      f);
	for (t = cmd_table; *t != NULL; t++) {
		fprintf(f, "complete -c akcred -n __fish_use_subcommand -a %s -d ", (*t)->name);
		fish_text(f, (*t)->summary);
		fputc('\n', f);
		if ((*t)->children == NULL)
			continue;
		for (c = (*t)->children; *c != NULL; c++) {
			fprintf(f,
				"complete -c akcred -n '__fish_seen_subcommand_from %s; and not "
				"__fish_seen_subcommand_from ",
				(*t)->name);
			words(f, (*t)->children, " ");
			fprintf(f, "' -a %s -d ", (*c)->name);
			fish_text(f, (*c)->summary);
			fputc('\n', f);
		}
	}
	while (next_leaf(&l, &ti, &ci)) {
		if (l.parent != NULL)
			snprintf(cond, sizeof(cond),
				 "__fish_seen_subcommand_from %s; and __fish_seen_subcommand_from "
				 "%s",
				 l.parent->name, l.entry->name);
		else
			snprintf(cond, sizeof(cond), "__fish_seen_subcommand_from %s",
				 l.entry->name);
		for (o = l.entry->options; o != NULL && o->name != NULL; o++) {
			fprintf(f, "complete -c akcred -n '%s' -l %s", cond, o->name);
			if (o->letter != 0)
				fprintf(f, " -s %c", o->letter);
			if (o->kind != CMD_FLAG) {
				if (o->complete == NULL)
					fputs(" -x", f);
				else if (strcmp(o->complete, "@file") == 0 ||
					 strcmp(o->complete, "@dir") == 0)
					fputs(" -r -F", f);
				else
					fprintf(f, " -x -a '%s'", o->complete);
			}
			fputs(" -d ", f);
			fish_text(f, cmd_option_help(o, help, sizeof(help)));
			fputc('\n', f);
		}
		fprintf(f, "complete -c akcred -n '%s' -s h -l help -d 'show the help'\n", cond);
		if (l.entry->operands != NULL && strcmp(l.entry->operands, "@file") == 0)
			fprintf(f, "complete -c akcred -n '%s' -F\n", cond);
		else if (l.entry->operands != NULL && strcmp(l.entry->operands, "@token") == 0)
			/* @FILE: the files after the '@', offered with it. */
			fprintf(f,
				"complete -c akcred -n '%s' -a '(string replace -r -- \"^\" @ "
				"(__fish_complete_path (string replace -r -- \"^@\" \"\" "
				"(commandline -ct))))'\n",
				cond);
		else if (l.entry->operands != NULL && strcmp(l.entry->operands, "@command") == 0) {
			fprintf(f, "complete -c akcred -n '%s' -a '", cond);
			words(f, cmd_table, " ");
			fputs("'\n", f);
		}
	}
}

/* "help NAME [SUB]" for a command that does not exist, with the closest name if any. */
static int
unknown(const char *name, const char *sub, const char *suggestion)
{
	if (suggestion == NULL)
		return cmd_usage_error("unknown command '%s%s%s'", name, sub ? " " : "",
				       sub ? sub : "");
	return cmd_usage_error("unknown command '%s%s%s' (did you mean '%s%s%s'?)", name,
			       sub ? " " : "", sub ? sub : "", sub ? name : "", sub ? " " : "",
			       suggestion);
}

static int
cmd_help_exec(void *opts, int argc, char **argv)
{
	const struct help_opts *o = opts;
	const struct cmd_entry *e, *child;
	const char *shell = o->shell;

	if (shell != NULL) {
		if (argc != 0)
			return cmd_usage_error("--completion takes no command");
		if (strcmp(shell, "bash") == 0)
			completion_bash(stdout);
		else if (strcmp(shell, "zsh") == 0)
			completion_zsh(stdout);
		else if (strcmp(shell, "fish") == 0)
			completion_fish(stdout);
		else
			return cmd_usage_error("no completion for shell '%s' (bash, zsh, fish)",
					       shell);
		return AK_OK;
	}
	if (argc == 0) {
		fputs("usage: akcred <command> [options]\n\n"
		      "akcred manages the credentials of devices that connect to akenza.\n\n",
		      stdout);
		cmd_print_commands(stdout);
		fputs("\nrun 'akcred <command> --help' for a command's options; see akcred(1)\n",
		      stdout);
		return AK_OK;
	}
	if ((e = cmd_lookup(cmd_table, argv[0])) == NULL)
		return unknown(argv[0], NULL, cmd_suggest(cmd_table, argv[0]));
	if (argc == 1) {
		cmd_print_help(stdout, e, e->name);
		return AK_OK;
	}
	if (argc > 2)
		return cmd_usage_error("unexpected operand '%s'", argv[2]);
	if ((child = cmd_lookup(e->children, argv[1])) == NULL)
		return unknown(argv[0], argv[1], cmd_suggest(e->children, argv[1]));
	{
		char path[64];

		snprintf(path, sizeof(path), "%s %s", e->name, child->name);
		cmd_print_help(stdout, child, path);
	}
	return AK_OK;
}

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.summary = "show the commands, or one command's help",
	.usage = "[command [subcommand]]\n--completion bash|zsh|fish",
	CMD_OPTIONS(options, struct help_opts),
	.exec = cmd_help_exec,
	.operands = "@command",
};
